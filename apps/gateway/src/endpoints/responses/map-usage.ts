// Usage between the two shapes: a chat answer's usage as the Responses API reports it, and a Responses
// answer's usage (OpenAI's own, passed through) as chat-shaped usage for accounting (ledger, metrics, cost).
import type { Usage } from "../../core/provider-contract";
import { isObject, tokenCount } from "../../providers/sanitize-usage";
import type { ResponseUsage } from "./responses-types";

export function toResponseUsage(u: Partial<Usage>): ResponseUsage {
  const input = u.prompt_tokens ?? 0;
  const output = u.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: u.total_tokens ?? input + output,
  };
}

// Counts as the passthrough's sanitizing reads them (whole, at most a believable size), so that a fraction or
// a 1.7e308 that reached here some other way can never price a request at Infinity.
const count = tokenCount;

/** A Responses usage object read leniently; undefined when it holds no usable counts (accounting then estimates). */
export function fromResponseUsage(u: unknown): Partial<Usage> | undefined {
  if (!isObject(u)) return undefined;
  const input = count(u.input_tokens);
  const output = count(u.output_tokens);
  if (input === undefined || output === undefined) return undefined;
  const cached = isObject(u.input_tokens_details) ? count(u.input_tokens_details.cached_tokens) : undefined;
  const reasoning = isObject(u.output_tokens_details) ? count(u.output_tokens_details.reasoning_tokens) : undefined;
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    ...(cached !== undefined ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    ...(reasoning !== undefined ? { completion_tokens_details: { reasoning_tokens: reasoning } } : {}),
  };
}
