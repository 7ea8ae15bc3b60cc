// The official OpenAI SDK pointed at the gateway, with the gateway's OpenAI provider pointed at
// the mock upstream: what users do on day one.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, TENANT_KEY, UPSTREAM_KEY, type Harness } from "./harness";

let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  h = await startHarness();
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const lastUpstreamBody = () => h.upstream.requests.at(-1)!.body as Record<string, unknown>;

describe("the official openai SDK through the gateway", () => {
  it("gets a chat.completion with Runestone's routing metadata", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello there" }] })
      .withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.choices[0]!.message.content).toBe("echo: hello there");
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    const extra = data as unknown as Record<string, unknown>;
    expect(extra.provider).toBe("openai");
    expect(extra.routing_policy).toBe("default");
    expect(extra.request_id).toBe(response.headers.get("x-request-id"));
    expect(response.headers.get("x-runestone-provider")).toBe("openai");
    expect(response.headers.get("x-runestone-model")).toBe("gpt-4o-mini");
    expect(response.headers.get("x-runestone-routing-policy")).toBe("default");
    expect(response.headers.get("x-runestone-fallbacks")).toBe("0");
    expect(Number(response.headers.get("x-runestone-overhead-ms"))).toBeGreaterThanOrEqual(0);
  });

  it("sends the upstream exactly the fields the client sent, unknown ones included, with the configured key", async () => {
    const sent = {
      model: "gpt-4o-mini",
      messages: [
        { role: "developer", content: "be terse" },
        { role: "user", content: [{ type: "text", text: "describe" }, { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "low" } }] },
      ],
      temperature: 0.3,
      top_p: 0.9,
      n: 1,
      stop: ["END"],
      seed: 7,
      max_completion_tokens: 200,
      frequency_penalty: 0.1,
      presence_penalty: -0.1,
      logit_bias: { "1234": -5 },
      logprobs: true,
      top_logprobs: 2,
      user: "user-42",
      metadata: { team: "search" },
      service_tier: "auto",
      store: false,
      parallel_tool_calls: true,
      a_field_openai_ships_next_month: { nested: [1, 2, 3] },
    };
    await client.chat.completions.create(sent as never);
    expect(lastUpstreamBody()).toEqual(sent);
    const headers = h.upstream.requests.at(-1)!.headers;
    expect(headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  });

  it("removes Runestone's routing fields before forwarding", async () => {
    await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "x" }],
      tenant_id: "team-a",
      request_id: "my-correlation",
      provider: "openai",
    } as never);
    const body = lastUpstreamBody();
    expect(body).not.toHaveProperty("tenant_id");
    expect(body).not.toHaveProperty("request_id");
    expect(body).not.toHaveProperty("provider");
    expect(body.model).toBe("gpt-4o-mini");
  });

  it("streams with include_usage: role first, text deltas, a usage chunk, and metadata on the first chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "one two three" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const first = chunks[0] as unknown as Record<string, unknown>;
    expect(first.provider).toBe("openai");
    expect(first.routing_policy).toBe("default");
    expect(typeof first.request_id).toBe("string");
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("echo: one two three");
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBeGreaterThan(0);
    expect(lastUpstreamBody().stream_options).toEqual({ include_usage: true });
  });

  it("asks the upstream for usage in a stream but does not pass the usage chunk to a client that did not ask", async () => {
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "a b" }], stream: true });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(lastUpstreamBody().stream_options).toEqual({ include_usage: true });
  });

  it("round-trips tool calls, then the tool result, in a multi-turn conversation", async () => {
    const tools = [
      {
        type: "function" as const,
        function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
      },
    ];
    const first = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "weather in Paris" }], tools });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    expect(call.type).toBe("function");
    if (call.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ input: "weather in Paris" });
    const second = await client.chat.completions.create({
      model: "gpt-4o-mini",
      tools,
      messages: [
        { role: "user", content: "weather in Paris" },
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: "18C and sunny" },
      ],
    });
    expect(second.choices[0]!.finish_reason).toBe("stop");
    expect((lastUpstreamBody().messages as unknown[]).length).toBe(3);
  });

  it("streams tool calls with their arguments assembled from fragments", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: "look it up" }],
      tools: [{ type: "function", function: { name: "search", parameters: { type: "object", properties: {} } } }],
    });
    let args = "";
    let name = "";
    let finish: string | null = null;
    for await (const c of stream) {
      const d = c.choices[0]?.delta;
      for (const tc of d?.tool_calls ?? []) {
        name ||= tc.function?.name ?? "";
        args += tc.function?.arguments ?? "";
      }
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe("search");
    expect(JSON.parse(args)).toEqual({ input: "look it up" });
    expect(finish).toBe("tool_calls");
  });

  it("passes a json_schema response_format through and returns JSON content", async () => {
    const response_format = {
      type: "json_schema" as const,
      json_schema: { name: "echo", strict: true, schema: { type: "object", properties: { echo: { type: "string" } }, required: ["echo"], additionalProperties: false } },
    };
    const res = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], response_format });
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({ echo: "hi" });
    expect(lastUpstreamBody().response_format).toEqual(response_format);
  });

  it("lists and retrieves models through the SDK", async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids).toContain("gpt-4o-mini");
    expect(ids).toContain("mock-echo");
    // Listed, but marked unavailable with what to set (issue 15).
    const unkeyed = list.data.find((m) => m.id === "unkeyed-model") as unknown as Record<string, unknown>;
    expect(unkeyed).toMatchObject({ available: false, provider: "nokey", requires_env: null });
    expect(unkeyed.unavailable_reason).toContain("providers.nokey.api_key");
    const m = await client.models.retrieve("gpt-4o-mini");
    expect(m.id).toBe("gpt-4o-mini");
    const extra = m as unknown as Record<string, any>;
    expect(extra.provider).toBe("openai");
    expect(extra.pricing.input_per_1m).toBe(0.15);
    expect(extra.cost_per_1k_tokens.input).toBeCloseTo(0.00015);
  });

  it("surfaces an unknown model as the SDK's NotFoundError with code model_not_found", async () => {
    const err = await client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.code).toBe("model_not_found");
  });

  it("never logs the upstream key, the tenant key or the prompt", async () => {
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "a very secret prompt phrase" }] });
    await new Promise((r) => setTimeout(r, 50));
    const logs = h.logs.text();
    expect(logs).toContain('"request"');
    expect(logs).not.toContain(UPSTREAM_KEY);
    expect(logs).not.toContain(TENANT_KEY);
    expect(logs).not.toContain("secret prompt phrase");
  });
});
