import type { ConverseStreamOutput } from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import type { ChatCall } from "../../core/provider-contract";
import { UpstreamError } from "../../core/upstream-error";
import { ConverseStreamMapper } from "./converse-stream-mapper";

const call = () => ({ upstreamModel: "m1", clientWantsUsage: false }) as ChatCall;
const run = (events: object[]) => {
  const m = new ConverseStreamMapper(call(), "chatcmpl-s");
  const chunks = events.flatMap((e) => m.map(e as ConverseStreamOutput)).map((c) => c.chunk);
  m.end();
  return chunks;
};

describe("ConverseStreamMapper", () => {
  it("maps text deltas, the finish reason and the usage chunk", () => {
    const chunks = run([
      { messageStart: { role: "assistant" } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "hel" } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "lo" } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: "max_tokens" } },
      { metadata: { usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5, cacheReadInputTokens: 1 }, metrics: { latencyMs: 1 } } },
    ]);
    expect(chunks.map((c) => c.choices[0]?.delta)).toStrictEqual([{ role: "assistant", content: "" }, { content: "hel" }, { content: "lo" }, {}, undefined]);
    expect(chunks.every((c) => c.id === "chatcmpl-s" && c.model === "m1")).toBe(true);
    expect(chunks[3]!.choices[0]!.finish_reason).toBe("length");
    expect(chunks[4]!.usage).toStrictEqual({ prompt_tokens: 4, completion_tokens: 2, total_tokens: 6, prompt_tokens_details: { cached_tokens: 1 } });
  });

  it("numbers tool calls by their order, whatever Bedrock's block index", () => {
    const chunks = run([
      { messageStart: { role: "assistant" } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "ok" } } },
      { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: "a", name: "f" } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"x":' } } } },
      { contentBlockStart: { contentBlockIndex: 2, start: { toolUse: { toolUseId: "b", name: "g" } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: "1}" } } } },
      { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: "{}" } } } },
      { messageStop: { stopReason: "tool_use" } },
    ]);
    const calls = chunks.flatMap((c) => (c.choices[0]?.delta as { tool_calls?: unknown[] } | undefined)?.tool_calls ?? []);
    expect(calls).toStrictEqual([
      { index: 0, id: "a", type: "function", function: { name: "f", arguments: "" } },
      { index: 0, function: { arguments: '{"x":' } },
      { index: 1, id: "b", type: "function", function: { name: "g", arguments: "" } },
      { index: 0, function: { arguments: "1}" } },
      { index: 1, function: { arguments: "{}" } },
    ]);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it("throws a retryable UpstreamError for a throttling exception event, and a protocol error for a cut stream", () => {
    const m = new ConverseStreamMapper(call(), "c");
    m.map({ messageStart: { role: "assistant" } } as ConverseStreamOutput);
    let err: unknown;
    try {
      m.map({ throttlingException: { message: "slow down" } } as unknown as ConverseStreamOutput);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ status: 429, retryable: true });
    expect(() => m.end()).toThrow(expect.objectContaining({ kind: "protocol" }));
  });

  it("ends with an upstream protocol error, not a finish reason, when Bedrock stops with malformed output or tool use", () => {
    for (const stopReason of ["malformed_model_output", "malformed_tool_use"]) {
      const m = new ConverseStreamMapper(call(), "c");
      m.map({ messageStart: { role: "assistant" } } as ConverseStreamOutput);
      m.map({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: "{\"x\":" } } } as ConverseStreamOutput);
      expect(() => m.map({ messageStop: { stopReason } } as ConverseStreamOutput)).toThrow(expect.objectContaining({ name: "UpstreamError", kind: "protocol", retryable: true, message: expect.stringContaining(stopReason) }));
    }
  });

  it("reports a context window exceeded as length", () => {
    const chunks = run([{ messageStart: { role: "assistant" } }, { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "a" } } }, { messageStop: { stopReason: "model_context_window_exceeded" } }]);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("length");
  });
});
