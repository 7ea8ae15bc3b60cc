import { tokenCount } from "../sanitize-usage";
import type { Usage } from "../../core/provider-contract";
import type { AnthropicUsage } from "./anthropic-types";

/**
 * An upstream's usage report read loosely (see sanitize-usage.ts): undefined, so that the request is
 * accounted by estimate, when it is there but not an object, or when `input_tokens` or `output_tokens` is
 * there but is not a token count. Missing counts, and cache counts that are null or not counts, count as 0
 * (a sparse payload without usage reads as zero usage, as before).
 */
export function readAnthropicUsage(usage: unknown): Usage | undefined {
  if (usage === undefined) return mapAnthropicUsage(undefined);
  if (typeof usage !== "object" || usage === null || Array.isArray(usage)) return undefined;
  const u = usage as Record<string, unknown>;
  for (const key of ["input_tokens", "output_tokens"]) {
    if (u[key] !== undefined && tokenCount(u[key]) === undefined) return undefined;
  }
  return mapAnthropicUsage(u as AnthropicUsage);
}

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
  return tokenCount(n) ?? 0;
}
