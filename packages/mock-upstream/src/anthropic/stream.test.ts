import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../index.js";
import { parseSse, post } from "../testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

describe("streamed messages", () => {
  it("sends the full event sequence for a thinking block, text and a tool_use", async () => {
    const behavior = {
      reply: {
        thinking: { text: "hmm ok", signature: "sigXYZ" },
        content: "Checking now",
        toolCalls: [{ name: "get_weather", arguments: '{"city":"Lisbon"}' }],
      },
    };
    const res = await post(
      `${mock.url}/v1/messages`,
      { model: "claude-sonnet-4-5", max_tokens: 100, stream: true, messages: [{ role: "user", content: "a b c" }] },
      { "x-mock-behavior": JSON.stringify(behavior) },
    );
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = parseSse(await res.text());
    const data = events.map((e) => JSON.parse(e.data));
    for (let i = 0; i < events.length; i++) expect(data[i].type).toBe(events[i]!.event);

    const shape = data.map((d) =>
      d.type === "content_block_start"
        ? `start:${d.index}:${d.content_block.type}`
        : d.type === "content_block_delta"
          ? `delta:${d.index}:${d.delta.type}`
          : d.type === "content_block_stop"
            ? `stop:${d.index}`
            : d.type,
    );
    expect(shape).toEqual([
      "message_start",
      "start:0:thinking",
      "ping",
      "delta:0:thinking_delta",
      "delta:0:thinking_delta",
      "delta:0:signature_delta",
      "stop:0",
      "start:1:text",
      "delta:1:text_delta",
      "delta:1:text_delta",
      "stop:1",
      "start:2:tool_use",
      "delta:2:input_json_delta",
      "delta:2:input_json_delta",
      "delta:2:input_json_delta",
      "delta:2:input_json_delta",
      "stop:2",
      "message_delta",
      "message_stop",
    ]);

    expect(data[0].message).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
    });
    expect(data[1].content_block).toEqual({ type: "thinking", thinking: "", signature: "" });
    const deltas = (index: number, field: string) =>
      data.filter((d) => d.type === "content_block_delta" && d.index === index).map((d) => d.delta[field] ?? "").join("");
    expect(deltas(0, "thinking")).toBe("hmm ok");
    expect(data[5].delta).toEqual({ type: "signature_delta", signature: "sigXYZ" });
    expect(deltas(1, "text")).toBe("Checking now");
    expect(data[11].content_block).toEqual({ type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "get_weather", input: {} });
    expect(JSON.parse(deltas(2, "partial_json"))).toEqual({ city: "Lisbon" });
    expect(data.at(-2)).toEqual({
      type: "message_delta",
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: { output_tokens: 2 + 2 + 1 }, // thinking, text, and the arguments as one word
    });
  });
});
