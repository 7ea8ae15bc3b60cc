import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../index.js";
import { post } from "../testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const headers = { "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01" };
const send = (body: Record<string, unknown>) =>
  post(`${mock.url}/v1/messages`, { model: "claude-sonnet-4-5", max_tokens: 1024, ...body }, headers);
const tools = [
  { name: "get_weather", input_schema: { type: "object" } },
  { name: "get_time", input_schema: { type: "object" } },
];

describe("POST /v1/messages", () => {
  it("answers a message that echoes the last user text, and records the Anthropic headers", async () => {
    const res = await send({ system: "be brief", messages: [{ role: "user", content: "hello world" }] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: "echo: hello world" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 2 + 3 + 2 + 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 3 },
    });
    expect(mock.requests[0]!.headers).toMatchObject(headers);
  });

  it("takes the last user text from text blocks", async () => {
    const res = await send({
      messages: [{ role: "user", content: [{ type: "text", text: "from" }, { type: "text", text: "blocks" }] }],
    });
    expect((await res.json()).content).toEqual([{ type: "text", text: "echo: from blocks" }]);
  });

  it("answers with a tool_use block for the first tool, or the one tool_choice names", async () => {
    const first = await (await send({ messages: [{ role: "user", content: "in Oslo" }], tools })).json();
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content).toEqual([
      { type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "get_weather", input: { input: "in Oslo" } },
    ]);

    const named = await (
      await send({ messages: [{ role: "user", content: "now" }], tools, tool_choice: { type: "tool", name: "get_time" } })
    ).json();
    expect(named.content[0].name).toBe("get_time");
  });

  it("answers with text after a tool result or when tool_choice is none", async () => {
    const afterResult = await (
      await send({
        tools,
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }] },
        ],
      })
    ).json();
    expect(afterResult.content).toEqual([{ type: "text", text: "echo: weather?" }]);
    expect(afterResult.stop_reason).toBe("end_turn");

    const none = await (await send({ tools, tool_choice: { type: "none" }, messages: [{ role: "user", content: "hi" }] })).json();
    expect(none.content).toEqual([{ type: "text", text: "echo: hi" }]);
  });

  it("puts a thinking block first, then text and tool_use, and counts cache usage", async () => {
    mock.behave({
      reply: {
        thinking: { text: "let me think", signature: "sig123" },
        content: "calling",
        toolCalls: [{ name: "get_weather", arguments: '{"city":"Rome"}' }],
      },
      usage: { cached_tokens: 50, cache_creation_tokens: 20 },
    });
    const body = await (await send({ messages: [{ role: "user", content: "x" }] })).json();
    expect(body.content).toEqual([
      { type: "thinking", thinking: "let me think", signature: "sig123" },
      { type: "text", text: "calling" },
      { type: "tool_use", id: expect.any(String), name: "get_weather", input: { city: "Rome" } },
    ]);
    expect(body.stop_reason).toBe("tool_use");
    expect(body.usage).toMatchObject({ cache_read_input_tokens: 50, cache_creation_input_tokens: 20, output_tokens: 5 });
  });

  it("stops at max_tokens and at a stop sequence with the matching stop_reason", async () => {
    const long = await (await send({ max_tokens: 2, messages: [{ role: "user", content: "a b c d" }] })).json();
    expect(long.content[0].text).toBe("echo: a");
    expect(long.stop_reason).toBe("max_tokens");

    const stopped = await (await send({ stop_sequences: ["END"], messages: [{ role: "user", content: "one END two" }] })).json();
    expect(stopped.content[0].text).toBe("echo: one ");
    expect(stopped.stop_reason).toBe("stop_sequence");
    expect(stopped.stop_sequence).toBe("END");
  });

  it("refuses a request without max_tokens with a 400 invalid_request_error, as the real API does", async () => {
    const res = await post(`${mock.url}/v1/messages`, { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Field required" },
    });
  });
  it("refuses a tool_use id or tool_result tool_use_id outside ^[a-zA-Z0-9_-]+$ with a 400 invalid_request_error, as the real API does", async () => {
    const withId = (id: string, resultId = id) => ({
      tools,
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: [{ type: "tool_use", id, name: "get_weather", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: resultId, content: "4C" }] },
      ],
    });
    const res = await send(withId("call_1__thought__ab+c/d=="));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "messages.1.content.0.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'" },
    });
    const result = await send(withId("toolu_1", "call.1"));
    expect(result.status).toBe(400);
    expect(((await result.json()) as { error: { message: string } }).error.message).toBe(
      "messages.2.content.0.tool_result.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'",
    );
    expect((await send(withId("toolu_01A-b_c"))).status).toBe(200);
  });
});
