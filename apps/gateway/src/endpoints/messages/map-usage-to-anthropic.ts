// OpenAI usage -> Anthropic usage.
import type { Usage } from "../../core/provider-contract";
import type { MessageUsage } from "./messages-types";

/**
 * OpenAI's prompt_tokens include cached tokens (and, from Anthropic-backed providers, cache writes); Anthropic
 * counts both apart from input_tokens, so they are taken out.
 */
export function mapUsageToAnthropic(usage: Usage | null | undefined): Required<Pick<MessageUsage, "input_tokens" | "output_tokens">> & {
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
} {
  const details = usage?.prompt_tokens_details;
  const cacheRead = count(details?.cached_tokens);
  const cacheWrite = count(details?.cache_creation_tokens);
  return {
    input_tokens: Math.max(0, count(usage?.prompt_tokens) - cacheRead - cacheWrite),
    output_tokens: count(usage?.completion_tokens),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

function count(n: number | null | undefined): number {
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0;
}
