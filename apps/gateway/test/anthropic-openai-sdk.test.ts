// The official OpenAI SDK talking to the gateway, whose `anthropic` provider points at the mock upstream
// speaking Anthropic: multi-turn tool conversations streamed and not, what reached the upstream, and the
// known hazards (mid-stream overloaded, a stream cut before message_stop, 529 and fallback).
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, readSse, startHarness, TENANT_KEY, type Harness } from "./harness";
import { ANTHROPIC_UPSTREAM_KEY, interopConfigYaml } from "./messages-test-config";

let h: Harness;
let client: OpenAI;
beforeAll(async () => {
  h = await startHarness({ configYaml: interopConfigYaml });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const tools: OpenAI.ChatCompletionTool[] = [
  { type: "function", function: { name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { input: { type: "string" } } } } },
];
const anthropicTools = [{ name: "get_weather", description: "Weather in a city", input_schema: { type: "object", properties: { input: { type: "string" } } } }];
const upstream = (i = -1) => h.upstream.requests.at(i)!;
const chat = () => `${h.url}/v1/chat/completions`;

describe("the OpenAI SDK on an Anthropic model", () => {
  it("holds a multi-turn conversation with a tool call, and sends Anthropic's request with its headers each turn", async () => {
    const history: OpenAI.ChatCompletionMessageParam[] = [
      { role: "system", content: "You are a weather bot." },
      { role: "user", content: "weather in Paris" },
    ];
    const first = await client.chat.completions.create({ model: "claude-sonnet-4-5", messages: history, tools });
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    expect(call.function).toStrictEqual({ name: "get_weather", arguments: '{"input":"weather in Paris"}' });
    expect(upstream().path).toBe("/v1/messages");
    expect(upstream().headers["x-api-key"]).toBe(ANTHROPIC_UPSTREAM_KEY);
    expect(upstream().headers["anthropic-version"]).toBe("2023-06-01");
    expect(upstream().headers.authorization).toBeUndefined();
    expect(upstream().body).toStrictEqual({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 4096,
      system: [{ type: "text", text: "You are a weather bot." }],
      messages: [{ role: "user", content: [{ type: "text", text: "weather in Paris" }] }],
      tools: anthropicTools,
    });

    history.push(first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "18C" });
    const second = await client.chat.completions.create({ model: "claude-sonnet-4-5", messages: history, tools });
    expect(second.choices[0]!.message.content).toBe("echo: weather in Paris");
    expect(second.choices[0]!.finish_reason).toBe("stop");
    expect((upstream().body as { messages: unknown[] }).messages.slice(1)).toStrictEqual([
      { role: "assistant", content: [{ type: "tool_use", id: call.id, name: "get_weather", input: { input: "weather in Paris" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "18C" }] },
    ]);

    history.push(second.choices[0]!.message, { role: "user", content: "and in Rome?" });
    const third = await client.chat.completions.create({ model: "claude-sonnet-4-5", messages: history, tools, tool_choice: "none" });
    expect(third.choices[0]!.message.content).toBe("echo: and in Rome?");
    expect((upstream().body as { messages: unknown[]; tool_choice: unknown }).tool_choice).toStrictEqual({ type: "none" });
    expect((upstream().body as { messages: unknown[] }).messages).toHaveLength(5);
  });

  it("holds the same conversation streamed, with tool call deltas the SDK can assemble", async () => {
    const history: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "weather in Oslo" }];
    const stream = await client.chat.completions.create({ model: "claude-sonnet-4-5", messages: history, tools, stream: true, stream_options: { include_usage: true } });
    let id = "";
    let name = "";
    let args = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const tc = chunk.choices[0]?.delta.tool_calls?.[0];
      if (tc?.id) id = tc.id;
      if (tc?.function?.name) name = tc.function.name;
      args += tc?.function?.arguments ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect({ name, args: JSON.parse(args), finish }).toStrictEqual({ name: "get_weather", args: { input: "weather in Oslo" }, finish: "tool_calls" });
    expect(usage?.total_tokens).toBeGreaterThan(0);
    expect(upstream().body).toMatchObject({ stream: true, model: "claude-sonnet-4-5-20250929" });

    history.push({ role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name, arguments: args } }] }, { role: "tool", tool_call_id: id, content: "-2C" });
    const second = await client.chat.completions.create({ model: "claude-sonnet-4-5", messages: history, tools, stream: true });
    let text = "";
    for await (const chunk of second) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("echo: weather in Oslo");
    expect((upstream().body as { messages: Array<{ role: string }> }).messages.map((m) => m.role)).toStrictEqual(["user", "assistant", "user"]);
  });

  it("reports cache reads and writes in usage, counted in prompt_tokens", async () => {
    h.upstream.behave({ usage: { prompt_tokens: 100, cached_tokens: 50, cache_creation_tokens: 20, completion_tokens: 7 } });
    const res = await client.chat.completions.create({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] });
    expect(res.usage).toMatchObject({ prompt_tokens: 170, completion_tokens: 7, total_tokens: 177, prompt_tokens_details: { cached_tokens: 50, cache_creation_tokens: 20 } });
  });

  it("returns thinking blocks that, sent back next turn, reach Anthropic with their signatures byte for byte", async () => {
    const signature = "EqQBCkgIARABGAIiQL+s/ig==\u00e9+/=";
    h.upstream.behave({ reply: { thinking: { text: "let me think", signature }, toolCalls: [{ name: "get_weather", arguments: '{"input":"Paris"}' }] } }, { times: 1 });
    const history: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "weather in Paris" }];
    const thinking = { type: "enabled", budget_tokens: 1024 };
    const first = await client.chat.completions.create({ model: "claude-sonnet-4-5", messages: history, tools, thinking } as never as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const message = first.choices[0]!.message as OpenAI.ChatCompletionMessage & { thinking_blocks?: unknown[]; reasoning_content?: string };
    expect(message.reasoning_content).toBe("let me think");
    expect(message.thinking_blocks).toStrictEqual([{ type: "thinking", thinking: "let me think", signature }]);

    const callId = message.tool_calls![0]!.id;
    history.push(message as OpenAI.ChatCompletionMessageParam, { role: "tool", tool_call_id: callId, content: "rain" });
    await client.chat.completions.create({ model: "claude-sonnet-4-5", messages: history, tools, thinking } as never as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const assistant = (upstream().body as { messages: Array<{ content: unknown[] }> }).messages[1]!;
    expect(assistant.content[0]).toStrictEqual({ type: "thinking", thinking: "let me think", signature });
    expect(upstream().rawBody).toContain(JSON.stringify(signature));
  });
});

describe("Anthropic hazards through the gateway", () => {
  const ask = (extra: Record<string, unknown> = {}) => postJson(chat(), { model: "claude-sonnet-4-5", stream: true, messages: [{ role: "user", content: "one two three four" }], ...extra });

  it("turns a mid-stream overloaded error into an overloaded error event and no [DONE]", async () => {
    h.upstream.behave({ midStreamError: 2 }, { times: 1 });
    const events = await readSse(await ask());
    expect(events).not.toContain("[DONE]");
    expect(JSON.parse(events.at(-1)!).error).toMatchObject({ type: "overloaded_error" });
    expect(JSON.parse(events[1]!).choices[0].delta.content).toBeDefined();
  });

  it("reports a stream that ends without message_stop as an error event, never as success", async () => {
    h.upstream.behave({ omitDone: true }, { times: 1 });
    const events = await readSse(await ask());
    expect(events).not.toContain("[DONE]");
    expect(JSON.parse(events.at(-1)!).error).toMatchObject({ code: "upstream_protocol_error" });

    h.upstream.behave({ cutAfter: 2 }, { times: 1 });
    const cut = await readSse(await ask());
    expect(cut).not.toContain("[DONE]");
    expect(JSON.parse(cut.at(-1)!).error).toBeDefined();
  });

  it("answers an upstream 529 as 503 overloaded_error", async () => {
    h.upstream.behave({ status: 529 }, { times: 1 });
    const res = await postJson(chat(), { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("overloaded_error");
  });

  it("falls back to the next candidate on 529, streamed and not", async () => {
    h.upstream.behave({ status: 529 }, { model: "claude-first" });
    const res = await postJson(chat(), { model: "claude-twice", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-fallbacks")).toBe("1");
    expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe("echo: hi");

    const streamed = await postJson(chat(), { model: "claude-twice", stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(streamed.headers.get("x-runestone-fallbacks")).toBe("1");
    expect((await readSse(streamed)).at(-1)).toBe("[DONE]");
    expect(h.upstream.requests.map((r) => (r.body as { model: string }).model)).toStrictEqual(["claude-first", "claude-second", "claude-first", "claude-second"]);
  });
});
