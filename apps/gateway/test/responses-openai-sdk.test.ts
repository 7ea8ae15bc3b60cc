// The official openai SDK's client.responses against the gateway's POST /v1/responses: passed through to an
// OpenAI deployment (the body byte-faithful upstream, the events relayed unchanged), translated for an Anthropic
// model and the built-in mock (JSON and streams, a function-tool round trip), and GPT-6.2's function tools,
// which OpenAI serves only on its Responses API, reachable where chat routing refuses them.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, startHarness, TENANT_KEY, UPSTREAM_KEY, type Harness } from "./harness";
import { ANTHROPIC_KEY, responsesConfigYaml } from "./responses-test-config";

let h: Harness;
let client: OpenAI;
beforeAll(async () => {
  h = await startHarness({ configYaml: responsesConfigYaml });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const weather: OpenAI.Responses.FunctionTool = { type: "function", name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { input: { type: "string" } } }, strict: false };
const upstream = (i = -1) => h.upstream.requests.at(i)!;
/** Ids and timestamps differ between two calls of the mock; everything else must not. */
const normalise = (sse: string) => sse.replace(/mock\d{6}/g, "mockN").replace(/"created_at":\d+/g, '"created_at":0');

describe("an OpenAI model: passthrough to the upstream's /v1/responses", () => {
  it("forwards the client's body byte for byte (model replaced, routing fields out) and returns OpenAI's response", async () => {
    const params = { model: "gpt-4o-mini", instructions: "be brief", input: "hello there", include: ["reasoning.encrypted_content"], prompt_cache_key: "k1", store: false, routing_policy: "default" as const };
    const { data, response } = await client.responses.create(params as OpenAI.Responses.ResponseCreateParamsNonStreaming).withResponse();
    expect(data.output_text).toBe("echo: hello there");
    // OpenAI's own object, as the mock upstream made it (its id and fields the gateway never writes).
    expect(data.id).toMatch(/^resp_mock\d{6}$/);
    expect(data).toMatchObject({ truncation: "disabled", background: false, model: "gpt-4o-mini-2024-07-18" });
    expect(response.headers.get("x-runestone-provider")).toBe("openai");
    expect(response.headers.get("x-runestone-model")).toBe("gpt-4o-mini");
    expect(response.headers.get("x-runestone-fallbacks")).toBe("0");
    expect(response.headers.get("x-request-id")).toBeTruthy();
    // Priced from OpenAI's own usage, read from the Responses shape.
    expect(Number(response.headers.get("x-runestone-cost"))).toBeCloseTo((data.usage!.input_tokens * 0.15 + data.usage!.output_tokens * 0.6) / 1e6, 12);
    expect(Number(response.headers.get("x-runestone-cost"))).toBeGreaterThan(0);

    expect(upstream().path).toBe("/v1/responses");
    expect(upstream().headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    const { routing_policy: _, ...forwarded } = params;
    expect(upstream().rawBody).toBe(JSON.stringify({ ...forwarded, model: "gpt-4o-mini-2024-07-18" }));
  });

  it("relays the upstream's stream event by event, unchanged", async () => {
    const body = { model: "gpt-4o-mini", input: "one two three", tools: [weather], tool_choice: "none", stream: true };
    const direct = await fetch(`${h.url.replace(/:\d+$/, `:${new URL(h.upstream.url).port}`)}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...body, model: "gpt-4o-mini-2024-07-18" }),
    });
    const expected = await direct.text();
    const res = await postJson(`${h.url}/v1/responses`, body);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(normalise(await res.text())).toBe(normalise(expected));
    expect(expected).toContain("event: response.completed");
  });

  it("streams through client.responses.stream to the SDK's final response, with a function call", async () => {
    const stream = client.responses.stream({ model: "gpt-4o-mini", input: "Paris", tools: [weather] });
    const deltas: string[] = [];
    stream.on("response.function_call_arguments.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas.join("")).toBe('{"input":"Paris"}');
    expect(final.output).toMatchObject([{ type: "function_call", name: "get_weather", arguments: '{"input":"Paris"}' }]);
    expect(upstream().path).toBe("/v1/responses");
  });
});

describe("an Anthropic model: translated both ways", () => {
  it("answers a response object built from Anthropic's message, with usage", async () => {
    const { data, response } = await client.responses.create({ model: "claude-sonnet-4-5", instructions: "be brief", input: "hello there", max_output_tokens: 50 }).withResponse();
    expect(data.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(data.object).toBe("response");
    expect(data.status).toBe("completed");
    expect(data.model).toBe("claude-sonnet-4-5");
    expect(data.output_text).toBe("echo: hello there");
    expect(data.usage).toMatchObject({ output_tokens: 3, input_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(response.headers.get("x-runestone-provider")).toBe("anthropic");
    expect(upstream().path).toBe("/v1/messages");
    expect(upstream().headers["x-api-key"]).toBe(ANTHROPIC_KEY);
    expect(upstream().body).toMatchObject({ model: "claude-sonnet-4-5-20250929", system: [{ type: "text", text: "be brief" }], max_tokens: 50, messages: [{ role: "user", content: [{ type: "text", text: "hello there" }] }] });
  });

  it("completes a function-tool round trip: function_call item out, function_call_output in", async () => {
    const first = await client.responses.create({ model: "claude-sonnet-4-5", input: "weather in Paris", tools: [weather] });
    const call = first.output.find((i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === "function_call")!;
    expect(call).toMatchObject({ name: "get_weather", arguments: '{"input":"weather in Paris"}', call_id: expect.stringMatching(/^toolu_/) });
    const second = await client.responses.create({
      model: "claude-sonnet-4-5",
      tools: [weather],
      input: [{ role: "user", content: "weather in Paris" }, call, { type: "function_call_output", call_id: call.call_id, output: "18C and cloudy" }],
    });
    expect(second.output_text).toBe("echo: weather in Paris");
    const sent = upstream().body as { messages: Array<{ role: string; content: Array<Record<string, unknown>> }> };
    expect(sent.messages[1]!.content).toEqual([expect.objectContaining({ type: "tool_use", id: call.call_id, name: "get_weather", input: { input: "weather in Paris" } })]);
    expect(sent.messages[2]!.content).toEqual([expect.objectContaining({ type: "tool_result", tool_use_id: call.call_id, content: "18C and cloudy" })]);
  });

  it("streams the Responses event sequence, which the SDK assembles into the same answer", async () => {
    const stream = client.responses.stream({ model: "claude-sonnet-4-5", input: "one two three" });
    const types: string[] = [];
    let text = "";
    stream.on("event", (e) => types.push(e.type));
    stream.on("response.output_text.delta", (e) => (text += e.delta));
    const final = await stream.finalResponse();
    expect(text).toBe("echo: one two three");
    expect(final.output_text).toBe("echo: one two three");
    expect(final.status).toBe("completed");
    expect(final.usage?.output_tokens).toBe(4);
    expect(types.slice(0, 4)).toEqual(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
    expect(types.slice(-4)).toEqual(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]);
  });

  it("is incomplete with reason max_output_tokens when the answer is cut by the cap", async () => {
    const r = await client.responses.create({ model: "claude-sonnet-4-5", input: "one two three four five", max_output_tokens: 2 });
    expect(r.status).toBe("incomplete");
    expect(r.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });
});

describe("the built-in mock provider: translated", () => {
  it("answers JSON and streams", async () => {
    const r = await client.responses.create({ model: "mock-echo", input: [{ role: "user", content: [{ type: "input_text", text: "hi mock" }] }] });
    expect(r.output_text).toContain("hi mock");
    const final = await client.responses.stream({ model: "mock-echo", input: "stream me" }).finalResponse();
    expect(final.output_text).toContain("stream me");
    expect(final.status).toBe("completed");
  });

  it("calls a function tool and takes its output back", async () => {
    const first = await client.responses.create({ model: "mock-echo", input: "use the tool", tools: [weather], tool_choice: "required" });
    const call = first.output.find((i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === "function_call");
    expect(call?.name).toBe("get_weather");
    const second = await client.responses.create({ model: "mock-echo", tools: [weather], input: [{ role: "user", content: "use the tool" }, call!, { type: "function_call_output", call_id: call!.call_id, output: "done" }] });
    expect(second.status).toBe("completed");
  });
});

describe("GPT-6.2, whose function tools OpenAI serves only on the Responses API", () => {
  const body = { model_family: "coding", routing_policy: "cost" };

  it("is routed by cost with function tools on /v1/responses, though chat routing refuses the same request", async () => {
    const res = await postJson(`${h.url}/v1/responses`, { ...body, tools: [weather], input: "Paris" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-model")).toBe("gpt-6.2-sol");
    const r = (await res.json()) as OpenAI.Responses.Response;
    expect(r.output).toMatchObject([{ type: "function_call", name: "get_weather" }]);
    expect(upstream().path).toBe("/v1/responses");
    expect(upstream().body).toMatchObject({ model: "gpt-6.2-sol", tools: [weather] });

    const chatTools = [{ type: "function", function: { name: weather.name, parameters: weather.parameters } }];
    const chat = await postJson(`${h.url}/v1/chat/completions`, { ...body, tools: chatTools, messages: [{ role: "user", content: "Paris" }] });
    expect(chat.status).toBe(400);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe("no_route");
  });

  it("is the only candidate for a built-in tool, which the cheaper translated model of its family cannot serve", async () => {
    const res = await postJson(`${h.url}/v1/responses`, { ...body, tools: [{ type: "web_search" }], input: "news" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-model")).toBe("gpt-6.2-sol");
    expect(upstream().body).toMatchObject({ model: "gpt-6.2-sol", tools: [{ type: "web_search" }] });
  });

  it("calls a function tool when named, through the SDK", async () => {
    const r = await client.responses.create({ model: "gpt-6.2-sol", input: "Paris", tools: [weather] });
    expect(r.output[0]).toMatchObject({ type: "function_call", name: "get_weather" });
  });
});
