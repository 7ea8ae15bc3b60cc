// The official Anthropic SDK pointed at the gateway's /v1/messages: text and tool_use from an OpenAI-shaped
// upstream (translated both ways), and a faithful passthrough from an Anthropic one, streamed and not, with
// errors in Anthropic's shape.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, startHarness, TENANT_KEY, UPSTREAM_KEY, type Harness } from "./harness";
import { ANTHROPIC_UPSTREAM_KEY, interopConfigYaml } from "./messages-test-config";

let h: Harness;
let client: Anthropic;
beforeAll(async () => {
  h = await startHarness({ configYaml: interopConfigYaml });
  client = new Anthropic({ baseURL: h.url, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const weather: Anthropic.Tool = { name: "get_weather", description: "Weather in a city", input_schema: { type: "object", properties: { input: { type: "string" } } } };
const upstream = (i = -1) => h.upstream.requests.at(i)!;
const eventTypes = (sse: string) => [...sse.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);

describe("the Anthropic SDK on a model served by an OpenAI-shaped upstream", () => {
  it("gets a text message, authenticated by x-api-key, with the provider's key sent upstream", async () => {
    const { data: message, response } = await client.messages
      .create({ model: "gpt-4o-mini", max_tokens: 100, system: "be brief", messages: [{ role: "user", content: "hello there" }] })
      .withResponse();
    expect(message.type).toBe("message");
    expect(message.content).toStrictEqual([{ type: "text", text: "echo: hello there" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBe(3);
    expect(response.headers.get("x-runestone-provider")).toBe("openai");
    expect(response.headers.get("x-runestone-model")).toBe("gpt-4o-mini");

    expect(upstream().path).toBe("/v1/chat/completions");
    expect(upstream().headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(upstream().body).toStrictEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello there" },
      ],
      max_completion_tokens: 100,
    });
  });

  it("gets a tool_use, then an answer after sending the tool_result back", async () => {
    const first = await client.messages.create({ model: "gpt-4o-mini", max_tokens: 100, tools: [weather], messages: [{ role: "user", content: "weather in Paris" }] });
    expect(first.stop_reason).toBe("tool_use");
    const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use")!;
    expect(call).toMatchObject({ name: "get_weather", input: { input: "weather in Paris" } });

    const second = await client.messages.create({
      model: "gpt-4o-mini",
      max_tokens: 100,
      tools: [weather],
      messages: [
        { role: "user", content: "weather in Paris" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "18C and cloudy" }] },
      ],
    });
    expect(second.content).toStrictEqual([{ type: "text", text: "echo: weather in Paris" }]);
    const sent = upstream().body as { messages: unknown[] };
    expect(sent.messages.slice(1)).toStrictEqual([
      { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: "get_weather", arguments: '{"input":"weather in Paris"}' } }] },
      { role: "tool", tool_call_id: call.id, content: "18C and cloudy" },
    ]);
  });

  it("streams text that the SDK assembles into the same message", async () => {
    const stream = client.messages.stream({ model: "gpt-4o-mini", max_tokens: 100, messages: [{ role: "user", content: "one two three" }] });
    let text = "";
    stream.on("text", (t) => (text += t));
    const message = await stream.finalMessage();
    expect(text).toBe("echo: one two three");
    expect(message.content).toStrictEqual([{ type: "text", text: "echo: one two three" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBe(4);
    expect(upstream().body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("streams a tool_use whose arguments the SDK rebuilds from input_json_delta events", async () => {
    const stream = client.messages.stream({ model: "gpt-4o-mini", max_tokens: 100, tools: [weather], messages: [{ role: "user", content: "weather in Rome please" }] });
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content).toStrictEqual([{ type: "tool_use", id: expect.any(String), name: "get_weather", input: { input: "weather in Rome please" } }]);
  });

  it("accepts a bearer key as well", async () => {
    const bearer = new Anthropic({ baseURL: h.url, apiKey: null, authToken: TENANT_KEY, maxRetries: 0 });
    const message = await bearer.messages.create({ model: "mock-echo", max_tokens: 50, messages: [{ role: "user", content: "hi" }] });
    expect(message.content).toStrictEqual([{ type: "text", text: "echo: hi" }]);
  });

  it("ends a stream that fails mid-way with an error event and no message_stop", async () => {
    h.upstream.behave({ midStreamError: 2 }, { times: 1 });
    const res = await postJson(`${h.url}/v1/messages`, { model: "gpt-4o-mini", max_tokens: 100, stream: true, messages: [{ role: "user", content: "one two three four" }] });
    const text = await res.text();
    const types = eventTypes(text);
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("error");
    expect(types).not.toContain("message_stop");
    const error = JSON.parse(text.trim().split("\n").at(-1)!.replace(/^data: /, ""));
    expect(error).toMatchObject({ type: "error", error: { type: expect.any(String), message: expect.any(String) } });

    h.upstream.behave({ midStreamError: 2 }, { times: 1 });
    const stream = client.messages.stream({ model: "gpt-4o-mini", max_tokens: 100, messages: [{ role: "user", content: "one two three four" }] });
    await expect(stream.finalMessage()).rejects.toThrow();
  });
});

describe("the Anthropic SDK on an Anthropic model (passthrough)", () => {
  const thinkingReply = { thinking: { text: "let me think", signature: "EqQBCkgIARABGAIiQL+s/ig==\u00e9+/=" }, content: "Checking", toolCalls: [{ name: "get_weather", arguments: '{"city":"Rome"}' }] };

  it("forwards the body as sent with only the model replaced, with the provider's key and the client's version and betas", async () => {
    h.upstream.behave({ reply: thinkingReply, usage: { cached_tokens: 50, cache_creation_tokens: 20 } });
    const sent = {
      model: "claude-sonnet-4-5",
      max_tokens: 2000,
      thinking: { type: "enabled" as const, budget_tokens: 1024 },
      tools: [{ ...weather, cache_control: { type: "ephemeral" as const } }],
      system: [{ type: "text" as const, text: "be brief", cache_control: { type: "ephemeral" as const } }],
      messages: [{ role: "user" as const, content: "weather?" }],
      metadata: { user_id: "u-1" },
    };
    const message = await client.messages.create(sent, { headers: { "anthropic-beta": "interleaved-thinking-2025-05-14", "anthropic-version": "2023-06-01" } });

    expect(upstream().path).toBe("/v1/messages");
    expect(upstream().body).toStrictEqual({ ...sent, model: "claude-sonnet-4-5-20250929" });
    expect(upstream().headers["x-api-key"]).toBe(ANTHROPIC_UPSTREAM_KEY);
    expect(upstream().headers.authorization).toBeUndefined();
    expect(upstream().headers["anthropic-version"]).toBe("2023-06-01");
    expect(upstream().headers["anthropic-beta"]).toBe("interleaved-thinking-2025-05-14");

    expect(message.content).toStrictEqual([
      { type: "thinking", thinking: "let me think", signature: "EqQBCkgIARABGAIiQL+s/ig==\u00e9+/=" },
      { type: "text", text: "Checking" },
      { type: "tool_use", id: expect.stringMatching(/^toolu_mock/), name: "get_weather", input: { city: "Rome" } },
    ]);
    expect(message.model).toBe("claude-sonnet-4-5-20250929");
    expect(message.usage).toMatchObject({ cache_read_input_tokens: 50, cache_creation_input_tokens: 20 });
  });

  it("passes the upstream's event stream through untouched, thinking and signatures included", async () => {
    h.upstream.behave({ reply: thinkingReply });
    const body = { model: "claude-sonnet-4-5", max_tokens: 2000, stream: true, messages: [{ role: "user", content: "weather?" }] };
    const viaGateway = await (await postJson(`${h.url}/v1/messages`, body)).text();
    const direct = await (
      await fetch(`${h.upstream.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, model: "claude-sonnet-4-5-20250929" }) })
    ).text();
    const normalize = (s: string) => s.replace(/(msg|toolu)_mock\d+/g, "$1_ID");
    expect(normalize(viaGateway)).toBe(normalize(direct));
    expect(viaGateway).toContain('"signature_delta","signature":"EqQBCkgIARABGAIiQL+s/ig==\u00e9+/="');

    h.upstream.behave({ reply: thinkingReply });
    const final = await client.messages.stream({ ...body, messages: [{ role: "user", content: "weather?" }] } as Anthropic.MessageCreateParamsStreaming).finalMessage();
    expect(final.content[0]).toStrictEqual({ type: "thinking", thinking: "let me think", signature: "EqQBCkgIARABGAIiQL+s/ig==\u00e9+/=" });
  });

  it("answers an upstream 529 as 529 overloaded_error in Anthropic's shape (the chat routes say 503)", async () => {
    h.upstream.behave({ status: 529 }, { times: 1 });
    const err = await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.OverloadedError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
  });

  it("falls back from an overloaded Anthropic deployment to an OpenAI-shaped one and says so", async () => {
    h.upstream.behave({ status: 529 }, { model: "claude-primary" });
    const { data, response } = await client.messages.create({ model: "claude-with-fallback", max_tokens: 10, messages: [{ role: "user", content: "still there" }] }).withResponse();
    expect(data.content).toStrictEqual([{ type: "text", text: "echo: still there" }]);
    expect(response.headers.get("x-runestone-fallbacks")).toBe("1");
    expect(response.headers.get("x-runestone-provider")).toBe("openai");
    expect(h.upstream.requests.map((r) => [r.path, (r.body as { model: string }).model])).toStrictEqual([
      ["/v1/messages", "claude-primary"],
      ["/v1/chat/completions", "gpt-backup"],
    ]);
  });

  it("passes an upstream error event through and reports a cut stream as an error event", async () => {
    const body = { model: "claude-sonnet-4-5", max_tokens: 100, stream: true, messages: [{ role: "user", content: "one two three four" }] };
    h.upstream.behave({ midStreamError: 2 }, { times: 1 });
    const failed = await (await postJson(`${h.url}/v1/messages`, body)).text();
    expect(eventTypes(failed).at(-1)).toBe("error");
    expect(failed).toContain('"overloaded_error"');
    expect(eventTypes(failed)).not.toContain("message_stop");

    h.upstream.behave({ cutAfter: 2 }, { times: 1 });
    const cut = await (await postJson(`${h.url}/v1/messages`, body)).text();
    expect(eventTypes(cut).at(-1)).toBe("error");
    expect(eventTypes(cut)).not.toContain("message_stop");
    expect(JSON.parse(cut.trim().split("\n").at(-1)!.replace(/^data: /, ""))).toMatchObject({ type: "error", error: { type: "api_error" } });
  });

  it("sends its own anthropic-version when the client sends none", async () => {
    await postJson(`${h.url}/v1/messages`, { model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    expect(upstream().headers["anthropic-version"]).toBe("2023-06-01");
    expect(upstream().headers["anthropic-beta"]).toBeUndefined();
  });
});

describe("errors on /v1/messages", () => {
  it("answers an unknown model with not_found_error", async () => {
    const err = (await client.messages.create({ model: "claude-9", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.error).toStrictEqual({ type: "error", error: { type: "not_found_error", message: expect.stringContaining("claude-9") } });
  });

  it("answers an unknown key with authentication_error", async () => {
    const stranger = new Anthropic({ baseURL: h.url, apiKey: "sk-not-a-tenant-key-000", maxRetries: 0 });
    const err = await stranger.messages.create({ model: "gpt-4o-mini", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "authentication_error" } });
  });

  it("answers a request that breaks the contract with invalid_request_error naming the field", async () => {
    const res = await postJson(`${h.url}/v1/messages`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toStrictEqual({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("max_tokens") } });
  });

  it("refuses a server tool for an OpenAI-shaped model before calling any upstream", async () => {
    const res = await postJson(`${h.url}/v1/messages`, { model: "gpt-4o-mini", max_tokens: 10, tools: [{ type: "web_search_20250305", name: "web_search" }], messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toStrictEqual({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("web_search_20250305") } });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("refuses an embedding model as not a chat model", async () => {
    const res = await postJson(`${h.url}/v1/messages`, { model: "text-embedding-3-small", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });

  it("does not accept x-api-key on the OpenAI routes", async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": TENANT_KEY },
      body: JSON.stringify({ model: "mock-echo", messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
  });
});
