import type { Usage } from "../../core/provider-contract";
import { isObject, tokenCount } from "../sanitize-usage";

/**
 * Gemini `usageMetadata` -> OpenAI usage. `promptTokenCount` already includes the cached tokens
 * (`cachedContentTokenCount`); tool-use prompt tokens are input too. Thinking tokens
 * (`thoughtsTokenCount`) are billed as output but are not in `candidatesTokenCount`, so completion
 * tokens are their sum and the thoughts are also reported as reasoning tokens, as OpenAI does.
 * Undefined (accounted by estimate) when the report is missing or its counts are not counts.
 */
export function readGeminiUsage(raw: unknown): Usage | undefined {
  if (!isObject(raw)) return undefined;
  const prompt = tokenCount(raw.promptTokenCount ?? 0);
  const candidates = tokenCount(raw.candidatesTokenCount ?? 0);
  if (prompt === undefined || candidates === undefined) return undefined;
  const toolPrompt = tokenCount(raw.toolUsePromptTokenCount) ?? 0;
  const thoughts = tokenCount(raw.thoughtsTokenCount) ?? 0;
  const cached = Math.min(tokenCount(raw.cachedContentTokenCount) ?? 0, prompt);
  const promptTokens = prompt + toolPrompt;
  const completionTokens = candidates + thoughts;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cached },
    completion_tokens_details: { reasoning_tokens: thoughts },
  };
}
