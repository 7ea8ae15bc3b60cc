import type { ChatCall, ChatCompletion } from "../../core/provider-contract";
import { UpstreamError } from "../../core/upstream-error";
import type { GeminiCandidate, GeminiResponse } from "./gemini-types";
import { mapGeminiFinishReason } from "./map-gemini-finish-reason";
import { readGeminiUsage } from "./map-gemini-usage";
import { idWithThoughtSignature } from "./thought-signature-id";

type Choice = ChatCompletion["choices"][number];
type ToolCallOut = NonNullable<Choice["message"]["tool_calls"]>[number];

/**
 * Gemini `GenerateContentResponse` -> `chat.completion`, one choice per candidate. Thought parts become
 * `reasoning_content`; function calls get Gemini's id when it sends one, else a generated `call_...` id
 * (the client echoes it back as `tool_call_id`, which the request side resolves by name). A prompt blocked
 * before any candidate is an empty answer with finish_reason content_filter.
 */
export function parseGeminiResponse(json: unknown, call: ChatCall): ChatCompletion {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new UpstreamError({ kind: "protocol", message: "upstream returned a malformed generateContent response" });
  }
  const response = json as GeminiResponse;
  const candidates = Array.isArray(response.candidates) ? response.candidates : [];
  const choices: Choice[] =
    candidates.length > 0
      ? candidates.map((c, i) => toChoice(c, c.index ?? i, call.requestId))
      : [{ index: 0, message: { role: "assistant", content: null, refusal: null }, finish_reason: response.promptFeedback?.blockReason ? "content_filter" : "stop", logprobs: null }];

  return {
    id: response.responseId ? `chatcmpl-${response.responseId}` : `chatcmpl-${call.requestId}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: response.modelVersion ?? call.upstreamModel,
    choices,
    usage: readGeminiUsage(response.usageMetadata),
    provider: "gemini",
    routing_policy: "default",
    request_id: call.requestId,
  };
}

function toChoice(candidate: GeminiCandidate, index: number, requestId: string): Choice {
  const texts: string[] = [];
  const thoughts: string[] = [];
  const toolCalls: ToolCallOut[] = [];
  for (const part of candidate.content?.parts ?? []) {
    if (part.functionCall) {
      toolCalls.push({
        id: idWithThoughtSignature(part.functionCall.id ?? geminiCallId(requestId, index, toolCalls.length), part.thoughtSignature),
        type: "function",
        function: { name: part.functionCall.name ?? "", arguments: JSON.stringify(part.functionCall.args ?? {}) },
      });
    } else if (typeof part.text === "string") {
      (part.thought ? thoughts : texts).push(part.text);
    }
  }
  const message: Choice["message"] = { role: "assistant", content: texts.length > 0 ? texts.join("") : null, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (thoughts.length > 0) message.reasoning_content = thoughts.join("");
  return { index, message, finish_reason: mapGeminiFinishReason(candidate.finishReason, toolCalls.length > 0), logprobs: null };
}

/** Gemini's function calls often carry no id; OpenAI clients need one to answer the call. */
export function geminiCallId(requestId: string, candidate: number, n: number): string {
  return `call_${requestId}_${candidate}_${n}`;
}
