import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { decodeSse, makeCall, NOW_SECONDS, readFixture, runTransformer } from "./__fixtures__/fixtures";
import { createGeminiStreamTransformer } from "./gemini-stream-transformer";

function run(fixture: string, clientWantsUsage = true) {
  const transformer = createGeminiStreamTransformer(makeCall({ messages: [] }, { stream: true, clientWantsUsage }));
  return runTransformer(transformer, decodeSse(readFixture(fixture)));
}

const c = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
  id: "chatcmpl-resp-2",
  object: "chat.completion.chunk",
  created: NOW_SECONDS,
  model: "gemini-test-pro-001",
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: NOW_SECONDS * 1000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("createGeminiStreamTransformer", () => {
  it("streams text, then whole function calls with indexes 0 and 1, then the finish and the last usageMetadata", () => {
    const { events, errors } = run("text-and-tool-call.chunks.txt");
    expect(errors).toStrictEqual([]);
    expect(events.map((e) => e.chunk)).toStrictEqual([
      c({ role: "assistant", content: "" }),
      c({ content: "Hello" }),
      c({ content: " there" }),
      c({ tool_calls: [{ index: 0, id: "call_req_test_0_0", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] }),
      c({ tool_calls: [{ index: 1, id: "call_req_test_0_1", type: "function", function: { name: "get_time", arguments: "{}" } }] }),
      c({}, "tool_calls"),
      {
        id: "chatcmpl-resp-2",
        object: "chat.completion.chunk",
        created: NOW_SECONDS,
        model: "gemini-test-pro-001",
        choices: [],
        usage: { prompt_tokens: 9, completion_tokens: 17, total_tokens: 26, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 3 } },
      },
    ]);
  });

  it("sends no usage chunk when the client did not ask for one", () => {
    const { events } = run("text-and-tool-call.chunks.txt", false);
    expect(events.at(-1)?.chunk.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("reports a stream that ends without a finishReason as a protocol error, without a finish chunk", () => {
    const { events, errors } = run("cut-without-finish-reason.chunks.txt");
    expect(errors.map((e) => [e.kind, e.message])).toStrictEqual([["protocol", "upstream stream ended before a finishReason"]]);
    expect(events.some((e) => e.chunk.choices[0]?.finish_reason)).toBe(false);
  });

  it("turns an error event inside the stream into a retryable upstream error with Google's status", () => {
    const transformer = createGeminiStreamTransformer(makeCall({ messages: [] }, { stream: true }));
    const data = JSON.stringify({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } });
    const { errors } = runTransformer(transformer, [{ data: '{"candidates":[{"content":{"parts":[{"text":"Hi"}]},"index":0}]}' }, { data }]);
    expect(errors.map((e) => [e.kind, e.status, e.retryable, e.message])).toStrictEqual([["http", 503, true, "The model is overloaded."]]);
  });

  it("reports an event that is not JSON as a protocol error", () => {
    const { errors } = runTransformer(createGeminiStreamTransformer(makeCall({ messages: [] }, { stream: true })), [{ data: "{oops" }]);
    expect(errors.map((e) => e.kind)).toStrictEqual(["protocol"]);
  });
});
