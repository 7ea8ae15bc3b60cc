import { describe, expect, it } from "vitest";
import type { ChatCall } from "../../core/provider-contract";
import { mapBedrockUsage, mapConverseResponse, mapStopReason } from "./map-converse-response";

const call = { upstreamModel: "m1" } as ChatCall;

describe("mapConverseResponse", () => {
  it("joins text blocks and maps toolUse blocks to tool_calls", () => {
    const out = mapConverseResponse(
      {
        output: { message: { role: "assistant", content: [{ text: "let me " }, { text: "check" }, { toolUse: { toolUseId: "t1", name: "w", input: { city: "Paris" } } }] } },
        stopReason: "tool_use",
        usage: { inputTokens: 7, outputTokens: 5, totalTokens: 12 },
        metrics: { latencyMs: 1 },
        $metadata: {},
      },
      call,
      "chatcmpl-1",
    );
    expect(out.model).toBe("m1");
    expect(out.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: { role: "assistant", content: "let me check", tool_calls: [{ id: "t1", type: "function", function: { name: "w", arguments: '{"city":"Paris"}' } }] },
    });
    expect(out.usage).toStrictEqual({ prompt_tokens: 7, completion_tokens: 5, total_tokens: 12, prompt_tokens_details: { cached_tokens: 0 } });
  });

  it("answers null content for a tool call without text", () => {
    const out = mapConverseResponse({ output: { message: { role: "assistant", content: [{ toolUse: { toolUseId: "t", name: "w", input: {} } }] } }, stopReason: "tool_use", usage: undefined, metrics: undefined, $metadata: {} } as never, call, "c");
    expect(out.choices[0]!.message.content).toBeNull();
  });
});

describe("a malformed stop", () => {
  it.each(["malformed_model_output", "malformed_tool_use"])("%s is a retryable upstream protocol error, not an answer", (stopReason) => {
    const out = { output: { message: { role: "assistant", content: [{ text: "{\"x\":" }] } }, stopReason, usage: undefined, metrics: undefined, $metadata: {} } as never;
    expect(() => mapConverseResponse(out, call, "c")).toThrow(expect.objectContaining({ name: "UpstreamError", kind: "protocol", retryable: true, message: expect.stringContaining(stopReason) }));
  });
});

describe("mapStopReason", () => {
  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["content_filtered", "content_filter"],
    ["guardrail_intervened", "content_filter"],
    ["model_context_window_exceeded", "length"],
  ])("%s -> %s", (reason, finish) => expect(mapStopReason(reason)).toBe(finish));
});

describe("mapBedrockUsage", () => {
  it("counts cache reads and writes in prompt_tokens and reports reads as cached_tokens", () => {
    expect(mapBedrockUsage({ inputTokens: 10, outputTokens: 2, totalTokens: 0, cacheReadInputTokens: 30, cacheWriteInputTokens: 5 })).toStrictEqual({
      prompt_tokens: 45,
      completion_tokens: 2,
      total_tokens: 47,
      prompt_tokens_details: { cached_tokens: 30 },
    });
  });
});
