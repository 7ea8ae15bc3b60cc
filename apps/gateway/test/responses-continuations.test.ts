// Regression tests for continuing Responses API conversations through the gateway (issue 16 review), with the
// official openai SDK against a real gateway and mock upstream:
// - Anthropic with thinking and a function call could not be continued: the signed thinking block never
//   went back, and Anthropic refuses such a history;
// - a translated conversation continued on OpenAI must not carry the gateway's reasoning items or item ids;
// - on the passthrough, previous_response_id came back null (the gateway expands it and never forwards it);
// - a translated stream without upstream usage was logged as exact.
import OpenAI from "openai";
import type { ResponseFunctionToolCall, ResponseOutputItem, ResponseReasoningItem } from "openai/resources/responses/responses";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, startHarness, TENANT_KEY, type Harness } from "./harness";
import { responsesConfigYaml } from "./responses-test-config";

let h: Harness;
let client: OpenAI;
beforeAll(async () => {
  h = await startHarness({ configYaml: responsesConfigYaml });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const weather = { type: "function" as const, name: "get_weather", parameters: { type: "object", properties: { input: { type: "string" } } }, strict: false };
const thinkingReply = { reply: { thinking: { text: "let me think", signature: "sig123" }, toolCalls: [{ name: "get_weather", arguments: '{"input":"Paris"}' }] } };

const isCall = (o: ResponseOutputItem): o is ResponseFunctionToolCall => o.type === "function_call";
type Block = { type: string; thinking?: string; signature?: string; id?: string };
type Turn = { role: string; content: string | Block[] };
const lastBody = (path: string) => h.upstream.requests.filter((r) => r.path.endsWith(path)).at(-1)!.body as Record<string, unknown>;

describe("an Anthropic thinking + function call conversation, continued with previous_response_id", () => {
  it.each([false, true])("sends the signed thinking block first in the assistant turn (first turn streamed: %s)", async (streamed) => {
    h.upstream.behave(thinkingReply, { times: 1 });
    const params = { model: "claude-sonnet-4-5", input: "Paris weather?", reasoning: { effort: "high" as const }, tools: [weather] };
    const first = streamed ? await client.responses.stream(params).finalResponse() : await client.responses.create(params);
    const output = first.output as ResponseOutputItem[];
    const reasoning = output.find((o): o is ResponseReasoningItem => o.type === "reasoning");
    expect(reasoning?.encrypted_content).toEqual(expect.any(String));
    const call = output.find(isCall)!;
    await client.responses.create({ model: "claude-sonnet-4-5", previous_response_id: first.id, input: [{ type: "function_call_output", call_id: call.call_id, output: "sunny" }], reasoning: { effort: "high" }, tools: [weather] });
    const messages = lastBody("/messages").messages as Turn[];
    const assistant = messages.find((m) => m.role === "assistant")!;
    expect(assistant.content[0]).toEqual({ type: "thinking", thinking: "let me think", signature: "sig123" });
    expect((assistant.content as Block[])[1]).toMatchObject({ type: "tool_use", id: call.call_id, name: "get_weather" });
  });

  it("continues on an OpenAI-compatible model without the thinking blocks, which only Anthropic knows", async () => {
    h.upstream.behave(thinkingReply, { times: 1 });
    const first = await client.responses.create({ model: "claude-sonnet-4-5", input: "Paris weather?", reasoning: { effort: "high" }, tools: [weather] });
    const call = (first.output as ResponseOutputItem[]).find(isCall)!;
    const next = await client.responses.create({ model: "mock-echo", previous_response_id: first.id, input: [{ type: "function_call_output", call_id: call.call_id, output: "sunny" }] });
    expect(next.status).toBe("completed");
    await client.responses.create({ model: "coder-lite", previous_response_id: first.id, input: [{ type: "function_call_output", call_id: call.call_id, output: "sunny" }] });
    const messages = lastBody("/chat/completions").messages as Array<Record<string, unknown>>;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    expect(messages[1]).not.toHaveProperty("thinking_blocks");
    expect(messages[1]).toMatchObject({ tool_calls: [{ id: call.call_id }] });
  });

  it("continues on OpenAI without the gateway's reasoning items and item ids (previous_response_id and client-held input)", async () => {
    h.upstream.behave(thinkingReply, { times: 1 });
    const first = await client.responses.create({ model: "claude-sonnet-4-5", input: "Paris weather?", reasoning: { effort: "high" }, tools: [weather] });
    const call = first.output.find(isCall)!;
    const output = { type: "function_call_output" as const, call_id: call.call_id, output: "sunny" };
    await client.responses.create({ model: "gpt-4o-mini", previous_response_id: first.id, input: [output], tools: [weather] });
    const viaPrevious = lastBody("/responses").input as Array<Record<string, unknown>>;
    // The client keeps the conversation itself: the first answer's items, ids and all, then the tool's output.
    await client.responses.create({ model: "gpt-4o-mini", input: [{ role: "user", content: "Paris weather?" }, ...(first.output as never[]), output], tools: [weather] });
    const viaClient = lastBody("/responses").input as Array<Record<string, unknown>>;
    for (const input of [viaPrevious, viaClient]) {
      expect(input.map((i) => i.type ?? "message")).toEqual(["message", "function_call", "function_call_output"]);
      expect(input.some((i) => "id" in i)).toBe(false);
    }
  });
});

describe("previous_response_id on the OpenAI passthrough", () => {
  it("is in the JSON answer and the stored response", async () => {
    const r1 = await client.responses.create({ model: "gpt-4o-mini", input: "hello" });
    const r2 = await client.responses.create({ model: "gpt-4o-mini", input: "again", previous_response_id: r1.id });
    // The gateway never forwards it (another tenant's response could live under the same upstream key).
    expect(lastBody("/responses").previous_response_id).toBeUndefined();
    expect(r2.previous_response_id).toBe(r1.id);
    expect((await client.responses.retrieve(r2.id)).previous_response_id).toBe(r1.id);
  });

  it("is in the streamed response.created and response.completed events and the stored response", async () => {
    const r1 = await client.responses.create({ model: "gpt-4o-mini", input: "hello" });
    const stream = client.responses.stream({ model: "gpt-4o-mini", input: "again", previous_response_id: r1.id });
    const seen: Record<string, unknown> = {};
    stream.on("event", (e) => {
      if (e.type === "response.created" || e.type === "response.completed") seen[e.type] = e.response.previous_response_id;
    });
    const final = await stream.finalResponse();
    expect(seen).toEqual({ "response.created": r1.id, "response.completed": r1.id });
    expect((await client.responses.retrieve(final.id)).previous_response_id).toBe(r1.id);
  });
});

describe("a translated stream whose upstream sends no usage", () => {
  it("is logged with tokens_estimated", async () => {
    h.upstream.behave({ omitUsage: true });
    const res = await postJson(`${h.url}/v1/responses`, { model: "coder-lite", input: "one two three", stream: true }, { "x-request-id": "responses-no-usage-1" });
    expect(await res.text()).toContain("response.completed");
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      line = h.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.request_id === "responses-no-usage-1" && l.status !== undefined);
      if (!line) await new Promise((r) => setTimeout(r, 20));
    }
    expect(line).toMatchObject({ status: 200, tokens_estimated: true });
  });
});
