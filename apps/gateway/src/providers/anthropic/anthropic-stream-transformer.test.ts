import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatCall } from "../../core/provider-contract";
import { decodeSse, loadJson, makeCall, NOW_SECONDS, readFixture, runTransformer, UPSTREAM_MODEL } from "./__fixtures__/fixtures";
import { createAnthropicStreamTransformer } from "./anthropic-stream-transformer";

const plain = { messages: [{ role: "user", content: "Hi" }] };

function run(fixture: string, call: Partial<ChatCall> = {}, body: Record<string, unknown> = plain) {
  const transformer = createAnthropicStreamTransformer(makeCall(body, { stream: true, ...call }));
  return runTransformer(transformer, decodeSse(readFixture(fixture)));
}

function chunker(id: string) {
  return (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id,
    object: "chat.completion.chunk",
    created: NOW_SECONDS,
    model: UPSTREAM_MODEL,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: NOW_SECONDS * 1000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("createAnthropicStreamTransformer", () => {
  it("gives two streamed tool calls stable indexes 0 and 1 and routes interleaved argument deltas to them", () => {
    const c = chunker("msg_01Two");
    const { events, errors } = run("two-tool-calls-interleaved.chunks.txt");
    expect(errors).toStrictEqual([]);
    expect(events.every((e) => e.raw === undefined)).toBe(true);
    expect(events.map((e) => e.chunk)).toStrictEqual([
      c({ role: "assistant", content: "" }),
      c({ content: "Checking both." }),
      c({ tool_calls: [{ index: 0, id: "toolu_01P", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      c({ tool_calls: [{ index: 1, id: "toolu_01O", type: "function", function: { name: "get_time", arguments: "" } }] }),
      c({ tool_calls: [{ index: 0, function: { arguments: "{\"city\": " } }] }),
      c({ tool_calls: [{ index: 1, function: { arguments: "{\"tz\": \"Europe/" } }] }),
      c({ tool_calls: [{ index: 0, function: { arguments: "\"Paris\"}" } }] }),
      c({ tool_calls: [{ index: 1, function: { arguments: "Oslo\"}" } }] }),
      c({}, "tool_calls"),
    ]);
  });

  it("streams text then a tool call in one turn, sends {} for a call without arguments, and ends with usage when asked", () => {
    const c = chunker("msg_01TextTool");
    const { events, errors } = run("text-and-tool-call.chunks.txt", { clientWantsUsage: true });
    expect(errors).toStrictEqual([]);
    expect(events.map((e) => e.chunk)).toStrictEqual([
      c({ role: "assistant", content: "" }),
      c({ content: "Let me check " }),
      c({ content: "the weather." }),
      c({ tool_calls: [{ index: 0, id: "toolu_01W", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      c({ tool_calls: [{ index: 0, function: { arguments: "{\"city\":\"Paris\"}" } }] }),
      c({ tool_calls: [{ index: 1, id: "toolu_01N", type: "function", function: { name: "now", arguments: "" } }] }),
      c({ tool_calls: [{ index: 1, function: { arguments: "{}" } }] }),
      c({}, "tool_calls"),
      {
        id: "msg_01TextTool",
        object: "chat.completion.chunk",
        created: NOW_SECONDS,
        model: UPSTREAM_MODEL,
        choices: [],
        usage: {
          prompt_tokens: 21 + 12000 + 1800,
          completion_tokens: 57,
          total_tokens: 21 + 12000 + 1800 + 57,
          prompt_tokens_details: { cached_tokens: 12000, cache_creation_tokens: 1800 },
        },
      },
    ]);
  });

  it("sends no usage chunk when the client did not ask for one", () => {
    const { events } = run("text-and-tool-call.chunks.txt");
    expect(events.at(-1)?.chunk.choices[0]?.finish_reason).toBe("tool_calls");
    expect(events.some((e) => e.chunk.usage)).toBe(false);
  });

  it("reports a mid-stream overloaded error as a retryable 503 after the content already sent", () => {
    const c = chunker("msg_01Over");
    const { events, errors } = run("overloaded-mid-stream.chunks.txt");
    expect(events.map((e) => e.chunk)).toStrictEqual([c({ role: "assistant", content: "" }), c({ content: "Once upon" })]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: "http", status: 503, type: "overloaded_error", message: "Overloaded", retryable: true });
  });

  it("reports any other error event as an api_error", () => {
    const transformer = createAnthropicStreamTransformer(makeCall(plain));
    const { errors } = runTransformer(transformer, [
      { event: "error", data: JSON.stringify({ type: "error", error: { type: "api_error", message: "Internal server error" } }) },
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ status: 500, type: "api_error", retryable: true });
  });

  it("reports a stream cut before message_stop as a protocol error and sends no finish chunk", () => {
    const c = chunker("msg_01Cut");
    const { events, errors } = run("cut-without-message-stop.chunks.txt", { clientWantsUsage: true });
    expect(events.map((e) => e.chunk)).toStrictEqual([c({ role: "assistant", content: "" }), c({ content: "Hello" })]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: "protocol", message: "upstream stream ended before message_stop" });
  });

  it("reports malformed event data as a protocol error and ignores what follows", () => {
    const transformer = createAnthropicStreamTransformer(makeCall(plain));
    const events = decodeSse(readFixture("text-and-tool-call.chunks.txt"));
    const { errors, events: out } = runTransformer(transformer, [events[0]!, { event: "content_block_delta", data: "{\"type\":" }, ...events.slice(1)]);
    expect(out).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.kind).toBe("protocol");
  });

  it("streams thinking as reasoning_content with its signature, then the tool call", () => {
    const c = chunker("msg_01Think");
    const { events, errors } = run("thinking-tool-use.chunks.txt");
    expect(errors).toStrictEqual([]);
    expect(events.map((e) => e.chunk)).toStrictEqual([
      c({ role: "assistant", content: "" }),
      c({ reasoning_content: "The user wants " }),
      c({ reasoning_content: "the weather. " }),
      c({ reasoning_signature: "EqQBCkgIARABGAIiQL+s/ig==\u00e9+/=" }),
      c({ thinking_blocks: [{ type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4a" }] }),
      c({ tool_calls: [{ index: 0, id: "toolu_01T", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      c({ tool_calls: [{ index: 0, function: { arguments: "{\"city\":\"Paris\"}" } }] }),
      c({}, "tool_calls"),
    ]);
  });

  it("streams the json_schema response tool's input as content and finishes with stop", () => {
    const c = chunker("msg_01Json");
    const body = loadJson<{ openai: Record<string, unknown> }>("response-format-json-schema.case.json").openai;
    const { events, errors } = run("json-schema.chunks.txt", {}, body);
    expect(errors).toStrictEqual([]);
    expect(events.map((e) => e.chunk)).toStrictEqual([
      c({ role: "assistant", content: "" }),
      c({ content: "{\"temperature_c\": 18" }),
      c({ content: ", \"sky\": \"cloudy\"}" }),
      c({}, "stop"),
    ]);
  });
});
