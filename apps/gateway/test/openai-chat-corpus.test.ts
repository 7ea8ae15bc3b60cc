// Valid OpenAI chat requests, a corpus shaped by OpenAI's published spec, replayed through the gateway with the
// official openai SDK against the mock upstream speaking OpenAI: none is refused, and the upstream receives each
// one unchanged. The corpus is kept in step with OpenAI's field list and with our own contract, so a field OpenAI
// ships (or one we declare) without a request that sends it fails here. Providers that cannot express a request
// (Anthropic and a custom tool) refuse it with a 400 that names the field.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openapiDocument } from "@runestone/contract";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RUNESTONE_FIELDS } from "../src/core/runestone-fields";
import { postJson, startHarness, TENANT_KEY, type Harness } from "./harness";
import { interopConfigYaml } from "./messages-test-config";

type ChatBody = Record<string, unknown> & { stream?: boolean | null; stream_options?: Record<string, unknown> | null };

const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(import.meta.dirname, "__fixtures__", name), "utf8")) as T;
const corpus = fixture<{ requests: Array<{ name: string; request: ChatBody }> }>("openai-chat-corpus.json").requests;
const openaiFields = fixture<{ read_on: string; properties: string[] }>("openai-chat-request-fields.json");

const ourSchema = (openapiDocument as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }).components.schemas
  .CreateChatCompletionRequest!;
const ourFields = Object.keys(ourSchema.properties ?? {});
const sentFields = new Set(corpus.flatMap((c) => Object.keys(c.request)));

/** What the OpenAI upstream must receive: the request as sent, plus the usage report the gateway asks for in streams. */
function expectedUpstreamBody(request: ChatBody): ChatBody {
  if (request.stream !== true) return request;
  return { ...request, stream_options: { ...(request.stream_options ?? {}), include_usage: true } };
}

describe("the OpenAI chat corpus", () => {
  it(`declares every field of OpenAI's CreateChatCompletionRequest (as read on ${openaiFields.read_on})`, () => {
    expect(openaiFields.properties.filter((f) => !ourFields.includes(f))).toStrictEqual([]);
  });

  it("sends every field of our contract's chat request at least once, Runestone's own routing fields aside", () => {
    const openaiShaped = ourFields.filter((f) => !(RUNESTONE_FIELDS as readonly string[]).includes(f));
    expect(openaiShaped.filter((f) => !sentFields.has(f))).toStrictEqual([]);
    expect(openaiFields.properties.filter((f) => !sentFields.has(f))).toStrictEqual([]);
  });

  it("holds the values the contract used to refuse", () => {
    const has = (predicate: (r: ChatBody) => boolean) => corpus.some((c) => predicate(c.request));
    const tools = (r: ChatBody) => (r.tools ?? []) as Array<{ type: string; custom?: { format?: { type: string } } }>;
    const choice = (r: ChatBody) => r.tool_choice as { type?: string } | undefined;
    const calls = (r: ChatBody) => ((r.messages ?? []) as Array<{ tool_calls?: Array<{ type: string }> }>).flatMap((m) => m.tool_calls ?? []);
    expect(has((r) => tools(r).some((t) => t.type === "custom" && t.custom?.format === undefined))).toBe(true);
    expect(has((r) => tools(r).some((t) => t.custom?.format?.type === "grammar"))).toBe(true);
    expect(has((r) => choice(r)?.type === "allowed_tools")).toBe(true);
    expect(has((r) => choice(r)?.type === "custom")).toBe(true);
    expect(has((r) => calls(r).some((c) => c.type === "custom"))).toBe(true);
    expect(has((r) => typeof (r.audio as { voice?: unknown } | undefined)?.voice === "object")).toBe(true);
    expect(has((r) => r.prediction === null)).toBe(true);
    expect(has((r) => r.stream === null)).toBe(true);
    expect(has((r) => r.service_tier === "fast")).toBe(true);
    expect(has((r) => r.reasoning_effort === "max")).toBe(true);
  });
});

describe("the corpus replayed with the official openai SDK to an OpenAI provider", () => {
  let h: Harness;
  let client: OpenAI;
  beforeAll(async () => {
    h = await startHarness();
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  it.each(corpus.map((c) => [c.name, c.request] as const))("is answered, and reaches the upstream unchanged: %s", async (_name, request) => {
    const answer = (await client.chat.completions.create(request as never)) as unknown;
    if (request.stream === true) {
      let chunks = 0;
      for await (const _chunk of answer as AsyncIterable<unknown>) chunks++;
      expect(chunks).toBeGreaterThan(0);
    } else {
      const completion = answer as OpenAI.ChatCompletion;
      expect(completion.object).toBe("chat.completion");
      for (const choice of completion.choices) {
        // OpenAI's response schema requires both; null when there is nothing to say.
        expect(choice.message).toHaveProperty("refusal");
        expect(choice).toHaveProperty("logprobs");
      }
    }
    expect(h.upstream.requests).toHaveLength(1);
    expect(h.upstream.requests[0]!.body).toStrictEqual(expectedUpstreamBody(request));
  });

  it("forwards values OpenAI has not shipped yet: new tool, choice, part, call and format types, and new enum values", async () => {
    const request = {
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: [{ type: "a_future_part", payload: "x" }] },
        { role: "user", content: [{ type: "text", text: "hi" }, { type: "a_future_part", a_future_part: { uri: "s3://b/k" } }] },
        { role: "assistant", content: null, tool_calls: [{ id: "call_f", type: "a_future_call", a_future_call: { q: 1 } }] },
        { role: "tool", tool_call_id: "call_f", content: "done" },
      ],
      tools: [{ type: "a_future_tool", a_future_tool: { level: 2 } }],
      tool_choice: { type: "a_future_choice" },
      response_format: { type: "a_future_format" },
      reasoning_effort: "ultra",
      service_tier: "turbo",
      verbosity: "terse",
      modalities: ["text", "video"],
      audio: { voice: "a_new_voice", format: "ogg" },
    };
    const completion = await client.chat.completions.create(request as never);
    expect(completion.choices[0]!.message.content).toBe("echo: hi");
    expect(h.upstream.requests[0]!.body).toStrictEqual(request);
  });

  it("still refuses what it must understand: a function tool without its function, an unknown role, a bad stream flag", async () => {
    const refused = async (patch: Record<string, unknown>) => {
      const res = await postJson(`${h.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], ...patch });
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { param: string | null } }).error.param;
    };
    expect(await refused({ tools: [{ type: "function" }] })).toMatch(/^tools/);
    expect(await refused({ tools: [{ type: "function", function: { name: "has spaces" } }] })).toMatch(/^tools/);
    expect(await refused({ messages: [{ role: "narrator", content: "hi" }] })).toMatch(/^messages/);
    expect(await refused({ messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] }] })).toMatch(
      /^messages/,
    );
    expect(await refused({ stream: "yes" })).toBe("stream");
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("fills in refusal and logprobs as null when an OpenAI-compatible server leaves them out", async () => {
    const sparse = { id: "chatcmpl-s", object: "chat.completion", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }] };
    h.upstream.behave({ rawBody: JSON.stringify(sparse) }, { model: "gpt-4o-mini", times: 1 });
    const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(completion.choices[0]!.message).toStrictEqual({ role: "assistant", content: "hi", refusal: null });
    expect(completion.choices[0]!.logprobs).toBeNull();
  });

  it("answers with the built-in mock provider when only custom tools are given, refusal and logprobs null", async () => {
    const completion = await client.chat.completions.create({
      model: "mock-echo",
      messages: [{ role: "user", content: "count the orders" }],
      tools: [{ type: "custom", custom: { name: "run_sql" } }],
    });
    expect(completion.choices[0]!.message).toMatchObject({ content: "echo: count the orders", refusal: null });
    expect(completion.choices[0]!.logprobs).toBeNull();
  });
});

describe("a provider that cannot express a request (Anthropic)", () => {
  let h: Harness;
  let client: OpenAI;
  beforeAll(async () => {
    h = await startHarness({ configYaml: interopConfigYaml });
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.reset());

  const refusal = async (request: Record<string, unknown>) => {
    const error = await client.chat.completions.create(request as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    return (error as InstanceType<typeof OpenAI.BadRequestError>).error as { type: string; param: string; message: string };
  };
  const messages = [{ role: "user", content: "How many orders?" }];

  it("answers 400 naming the tool's type for a custom tool, and sends nothing upstream", async () => {
    const error = await refusal({
      model: "claude-sonnet-4-5",
      messages,
      tools: [
        { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } },
        { type: "custom", custom: { name: "run_sql", format: { type: "grammar", grammar: { syntax: "lark", definition: "start: /.+/" } } } },
      ],
    });
    expect(error).toMatchObject({ type: "invalid_request_error", param: "tools.1.type" });
    expect(error.message).toContain("custom");
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("answers 400 naming the field for a custom tool choice, a custom tool call and an unknown content part", async () => {
    const weather = { type: "function", function: { name: "get_weather" } };
    expect(await refusal({ model: "claude-sonnet-4-5", messages, tools: [weather], tool_choice: { type: "custom", custom: { name: "run_sql" } } })).toMatchObject({
      param: "tool_choice.type",
    });
    const history = [
      ...messages,
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "custom", custom: { name: "run_sql", input: "SELECT 1" } }] },
      { role: "tool", tool_call_id: "call_1", content: "1" },
    ];
    expect(await refusal({ model: "claude-sonnet-4-5", messages: history })).toMatchObject({ param: "messages.1.tool_calls.0.type" });
    const part = [{ role: "user", content: [{ type: "a_future_part", a_future_part: {} }] }];
    expect(await refusal({ model: "claude-sonnet-4-5", messages: part })).toMatchObject({ param: "messages.0.content.0.type" });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("restricts the tools it sends to the allowed ones for tool_choice allowed_tools", async () => {
    const tools = [
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } },
      { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } },
    ];
    const tool_choice = { type: "allowed_tools", allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "get_time" } }] } };
    const completion = await client.chat.completions.create({ model: "claude-sonnet-4-5", messages, tools, tool_choice } as never);
    expect(completion.choices[0]!.message).toMatchObject({ refusal: null });
    expect(completion.choices[0]!.logprobs).toBeNull();
    const sent = h.upstream.requests[0]!.body as { tools: Array<{ name: string }>; tool_choice: unknown };
    expect(sent.tools.map((t) => t.name)).toStrictEqual(["get_time"]);
    expect(sent.tool_choice).toStrictEqual({ type: "any" });
  });
});
