import type { Usage } from "../types";
import type { AnthropicUsage } from "./anthropic-types";

/**
 * Anthropic counts cache reads and cache writes apart from `input_tokens`; OpenAI's `prompt_tokens`
 * includes cached tokens, so all three are added. `cache_creation_tokens` is a Runestone extra (priced
 * differently from both fresh and cached input).
 */
export function mapAnthropicUsage(usage: AnthropicUsage | undefined): Usage {
  const input = count(usage?.input_tokens);
  const cacheRead = count(usage?.cache_read_input_tokens);
  const cacheWrite = count(usage?.cache_creation_input_tokens);
  const output = count(usage?.output_tokens);
  const promptTokens = input + cacheRead + cacheWrite;
  // The contract's prompt_tokens_details does not list cache_creation_tokens (yet), hence the widening.
  const details: NonNullable<Usage["prompt_tokens_details"]> & { cache_creation_tokens: number } = {
    cached_tokens: cacheRead,
    cache_creation_tokens: cacheWrite,
  };
  return {
    prompt_tokens: promptTokens,
    completion_tokens: output,
    total_tokens: promptTokens + output,
    prompt_tokens_details: details,
  };
}

function count(n: number | null | undefined): number {
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0;
}
