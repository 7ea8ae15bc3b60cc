import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadJson, makeCall, NOW_SECONDS } from "./__fixtures__/fixtures";
import { mapGeminiFinishReason } from "./map-gemini-finish-reason";
import { parseGeminiResponse } from "./parse-gemini-response";
import { buildGeminiBody } from "./build-gemini-request";
import { createGeminiStreamTransformer } from "./gemini-stream-transformer";
import type { ChunkEvent } from "../../core/provider-contract";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: NOW_SECONDS * 1000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("parseGeminiResponse", () => {
  it("turns text, a thought and a function call into one choice with usage from usageMetadata", () => {
    const out = parseGeminiResponse(loadJson("text-and-tool-call.response.json"), makeCall({ messages: [] }));
    expect(out).toStrictEqual({
      id: "chatcmpl-resp-1",
      object: "chat.completion",
      created: NOW_SECONDS,
      model: "gemini-test-pro-001",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Checking the weather.",
            refusal: null,
            reasoning_content: "Let me think.",
            tool_calls: [{ id: "call_req_test_0_0", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
          },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 120,
        completion_tokens: 42,
        total_tokens: 162,
        prompt_tokens_details: { cached_tokens: 100 },
        completion_tokens_details: { reasoning_tokens: 12 },
      },
      provider: "gemini",
      routing_policy: "default",
      request_id: "req_test",
    });
  });

  it("answers a blocked prompt (no candidates) with an empty content_filter choice", () => {
    const out = parseGeminiResponse({ promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 5 } }, makeCall({ messages: [] }));
    expect(out.choices).toStrictEqual([{ index: 0, message: { role: "assistant", content: null, refusal: null }, finish_reason: "content_filter", logprobs: null }]);
    expect(out.usage?.prompt_tokens).toBe(5);
  });

  it("gives one choice per candidate (n > 1)", () => {
    const json = {
      candidates: [
        { index: 0, content: { parts: [{ text: "a" }] }, finishReason: "STOP" },
        { index: 1, content: { parts: [{ text: "b" }] }, finishReason: "MAX_TOKENS" },
      ],
    };
    const out = parseGeminiResponse(json, makeCall({ messages: [] }));
    expect(out.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toStrictEqual([
      [0, "a", "stop"],
      [1, "b", "length"],
    ]);
  });

  it("keeps a Gemini 3 thoughtSignature in the tool call id, and sends it back on the functionCall part", () => {
    const json = { candidates: [{ content: { parts: [{ functionCall: { name: "f", args: { a: 1 } }, thoughtSignature: "c2lnbmF0dXJl+/=" }] }, finishReason: "STOP" }] };
    const out = parseGeminiResponse(json, makeCall({ messages: [] }));
    const id = out.choices[0]!.message.tool_calls![0]!.id;
    expect(id).toBe("call_req_test_0_0__thought__c2lnbmF0dXJl+/=");
    const next = buildGeminiBody(
      makeCall({ messages: [{ role: "user", content: "q" }, out.choices[0]!.message, { role: "tool", tool_call_id: id, content: "ok" }] }),
    );
    expect(next.contents[1]).toStrictEqual({ role: "model", parts: [{ functionCall: { name: "f", args: { a: 1 } }, thoughtSignature: "c2lnbmF0dXJl+/=" }] });
    expect(next.contents[2]).toStrictEqual({ role: "user", parts: [{ functionResponse: { name: "f", response: { output: "ok" } } }] });
  });

  it("leaves usage out when the report's counts are not counts", () => {
    const out = parseGeminiResponse({ candidates: [{ content: { parts: [{ text: "a" }] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: "9" } }, makeCall({ messages: [] }));
    expect(out.usage).toBeUndefined();
  });
});

describe("an image filter's finish reason", () => {
  it("answers IMAGE_PROHIBITED_CONTENT and IMAGE_RECITATION as content_filter, in JSON and in a stream", () => {
    for (const reason of ["IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION"]) {
      const json = { candidates: [{ index: 0, content: { role: "model", parts: [{ text: "a" }] }, finishReason: reason }] };
      expect(parseGeminiResponse(json, makeCall({ messages: [] })).choices[0]!.finish_reason).toBe("content_filter");
      const out: ChunkEvent[] = [];
      const transformer = createGeminiStreamTransformer(makeCall({ messages: [] }, { stream: true }));
      const sink = { enqueue: (e: ChunkEvent) => out.push(e), error: (e: unknown) => { throw e; } };
      transformer.transform({ data: JSON.stringify(json) }, sink);
      transformer.flush(sink);
      expect(out.map((e) => e.chunk.choices[0]?.finish_reason).filter(Boolean)).toStrictEqual(["content_filter"]);
    }
  });
});

describe("mapGeminiFinishReason", () => {
  it.each([
    ["STOP", false, "stop"],
    ["STOP", true, "tool_calls"],
    ["MAX_TOKENS", true, "length"],
    ["SAFETY", false, "content_filter"],
    ["RECITATION", false, "content_filter"],
    ["BLOCKLIST", false, "content_filter"],
    ["PROHIBITED_CONTENT", false, "content_filter"],
    ["SPII", false, "content_filter"],
    ["IMAGE_SAFETY", false, "content_filter"],
    ["IMAGE_PROHIBITED_CONTENT", false, "content_filter"],
    ["IMAGE_RECITATION", false, "content_filter"],
    ["IMAGE_OTHER", false, "stop"],
    ["NO_IMAGE", false, "stop"],
    ["OTHER", false, "stop"],
  ] as const)("%s (tool calls: %s) -> %s", (reason, tools, expected) => {
    expect(mapGeminiFinishReason(reason, tools)).toBe(expected);
  });
});
