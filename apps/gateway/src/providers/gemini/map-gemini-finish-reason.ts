import type { ChatCompletion } from "../../core/provider-contract";

type FinishReason = ChatCompletion["choices"][number]["finish_reason"];

/** Gemini's safety-style stops: the answer was withheld or cut by a filter (images' included). */
const FILTERED = new Set([
  "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
  "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION",
]);

/**
 * Gemini `finishReason` -> OpenAI `finish_reason`. Gemini says STOP also when the turn ends in function
 * calls, so a candidate carrying calls is `tool_calls` whatever the reason. LANGUAGE, OTHER, IMAGE_OTHER
 * ("other miscellaneous issue", OTHER's image twin, no filter), NO_IMAGE, MALFORMED_FUNCTION_CALL and reasons
 * Google adds later read as `stop` (OpenAI has nothing closer).
 */
export function mapGeminiFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (reason !== undefined && FILTERED.has(reason)) return "content_filter";
  if (hasToolCalls) return "tool_calls";
  return "stop";
}
