import { describe, expect, it } from "vitest";
import { RequestTranslationError } from "../../core/request-translation-error";
import { loadJson, makeCall } from "./__fixtures__/fixtures";
import { buildGeminiBody, buildGeminiRequest } from "./build-gemini-request";

const ctx = { apiKey: "AIza-test-key", headers: {}, quirks: {} };

function translationError(body: Record<string, unknown>): RequestTranslationError {
  try {
    buildGeminiBody(makeCall(body));
  } catch (err) {
    if (err instanceof RequestTranslationError) return err;
    throw err;
  }
  throw new Error("expected a RequestTranslationError");
}

describe("buildGeminiRequest", () => {
  it.each(["full-conversation.case.json", "response-format-json-schema.case.json"])("translates %s exactly", (name) => {
    const c = loadJson<{ openai: Record<string, unknown>; gemini: Record<string, unknown> }>(name);
    expect(buildGeminiBody(makeCall(c.openai))).toStrictEqual(c.gemini);
  });

  it("posts to :generateContent with the key in x-goog-api-key, and to :streamGenerateContent?alt=sse for a stream", () => {
    const body = { messages: [{ role: "user", content: "Hi" }] };
    const json = buildGeminiRequest(makeCall(body, { upstreamModel: "gemini-2.5-flash" }), ctx);
    expect(json.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(json.headers).toStrictEqual({ "content-type": "application/json", "x-goog-api-key": "AIza-test-key" });
    expect(JSON.parse(json.body)).toStrictEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
    const stream = buildGeminiRequest(makeCall(body, { upstreamModel: "gemini-2.5-flash", stream: true }), ctx);
    expect(stream.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  });

  it("sends json_object as responseMimeType application/json without a schema", () => {
    const body = buildGeminiBody(makeCall({ messages: [{ role: "user", content: "x" }], response_format: { type: "json_object" } }));
    expect(body.generationConfig).toStrictEqual({ responseMimeType: "application/json" });
  });

  it("refuses an http image URL, naming the field", () => {
    const err = translationError({
      messages: [{ role: "user", content: [{ type: "text", text: "x" }, { type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }],
    });
    expect(err.param).toBe("messages[0].content[1].image_url.url");
  });

  it("refuses a tool result that answers no earlier call, and tool arguments that are not a JSON object", () => {
    expect(translationError({ messages: [{ role: "tool", tool_call_id: "call_x", content: "1" }] }).param).toBe("messages[0].tool_call_id");
    const bad = { messages: [{ role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "[1]" } }] }] };
    expect(translationError(bad).param).toBe("messages[0].tool_calls[0].function.arguments");
  });

  it.each([
    ["none", { thinkingBudget: 0 }],
    ["minimal", { includeThoughts: true, thinkingBudget: 512 }],
    ["low", { includeThoughts: true, thinkingBudget: 1024 }],
    ["medium", { includeThoughts: true, thinkingBudget: 8192 }],
    ["high", { includeThoughts: true, thinkingBudget: 24576 }],
    ["xhigh", { includeThoughts: true, thinkingBudget: 24576 }],
    ["max", { includeThoughts: true, thinkingBudget: 24576 }],
    ["a-future-effort", { includeThoughts: true }],
    ["constructor", { includeThoughts: true }],
  ])("maps reasoning_effort %s to generationConfig.thinkingConfig %j", (effort, thinkingConfig) => {
    const body = buildGeminiBody(makeCall({ messages: [{ role: "user", content: "x" }], reasoning_effort: effort, temperature: 0.5 }));
    expect(body.generationConfig).toStrictEqual({ temperature: 0.5, thinkingConfig });
  });

  it.each([
    // [effort, max_tokens, max_completion_tokens, thinkingBudget sent]: at most half the cap, never below 512; the cap is sent as asked
    ["high", 500, undefined, 512],
    ["high", undefined, 500, 512],
    ["high", 4000, undefined, 2000],
    ["high", 100_000, undefined, 24576],
    ["medium", 16384, undefined, 8192],
    ["medium", 16383, undefined, 8191],
    ["low", 1500, undefined, 750],
    ["low", 9, undefined, 512],
    ["minimal", 9, undefined, 512],
    ["high", 50_000, 3000, 1500],
  ])("fits reasoning_effort %s to max_tokens %s / max_completion_tokens %s: thinkingBudget %s", (effort, maxTokens, maxCompletionTokens, budget) => {
    const body = buildGeminiBody(makeCall({ messages: [{ role: "user", content: "x" }], reasoning_effort: effort, max_tokens: maxTokens, max_completion_tokens: maxCompletionTokens }));
    expect(body.generationConfig).toStrictEqual({ maxOutputTokens: maxCompletionTokens ?? maxTokens, thinkingConfig: { includeThoughts: true, thinkingBudget: budget } });
  });

  it("leaves budget 0 (none) and the default budget (an unknown effort) as they are under a cap", () => {
    const call = (effort: string) => buildGeminiBody(makeCall({ messages: [{ role: "user", content: "x" }], reasoning_effort: effort, max_tokens: 300 })).generationConfig;
    expect(call("none")).toStrictEqual({ maxOutputTokens: 300, thinkingConfig: { thinkingBudget: 0 } });
    expect(call("a-future-effort")).toStrictEqual({ maxOutputTokens: 300, thinkingConfig: { includeThoughts: true } });
  });

  it("sends no thinkingConfig when reasoning_effort is absent or null", () => {
    expect(buildGeminiBody(makeCall({ messages: [{ role: "user", content: "x" }] })).generationConfig).toBeUndefined();
    expect(buildGeminiBody(makeCall({ messages: [{ role: "user", content: "x" }], reasoning_effort: null })).generationConfig).toBeUndefined();
  });

  it("maps tool_choice auto and none to AUTO and NONE", () => {
    const tools = [{ type: "function", function: { name: "f" } }];
    const msgs = [{ role: "user", content: "x" }];
    expect(buildGeminiBody(makeCall({ messages: msgs, tools, tool_choice: "auto" })).toolConfig).toStrictEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect(buildGeminiBody(makeCall({ messages: msgs, tools, tool_choice: "none" })).toolConfig).toStrictEqual({ functionCallingConfig: { mode: "NONE" } });
  });
});
