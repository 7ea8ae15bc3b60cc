// Upstream usage reports are untrusted input: a count we read must be a non-negative integer (JSON can carry
// "12", -5, 1e400 = Infinity, {} or null there). Anything else is treated as no report at all, so the request
// takes the estimate path (usage-seen.ts) instead of putting a string or NaN into metrics, the ledger and
// the tenant's token limit.
import type { Usage } from "../core/provider-contract";

/** More tokens than any model's context and output together: a report above it is not believed. */
export const MAX_REPORTED_TOKENS = 1_000_000_000;

/** The value as a token count, or undefined when it is not one. */
export function tokenCount(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_REPORTED_TOKENS ? v : undefined;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * An OpenAI-shaped `usage` read loosely: `prompt_tokens` and `completion_tokens` must be counts, else the whole
 * report is absent (undefined). `total_tokens` is recomputed when it is not a count; a detail count that is
 * not one is dropped (a cached count never exceeds the prompt). Fields we do not read pass as they are.
 */
export function sanitizeOpenAIUsage(raw: unknown): Usage | undefined {
  if (!isObject(raw)) return undefined;
  const prompt = tokenCount(raw.prompt_tokens);
  const completion = tokenCount(raw.completion_tokens);
  if (prompt === undefined || completion === undefined) return undefined;
  const usage: Usage & Record<string, unknown> = { ...raw, prompt_tokens: prompt, completion_tokens: completion, total_tokens: tokenCount(raw.total_tokens) ?? prompt + completion };
  const prompted = details(raw.prompt_tokens_details, prompt);
  if (prompted) usage.prompt_tokens_details = prompted;
  else delete usage.prompt_tokens_details;
  const completed = details(raw.completion_tokens_details, completion);
  if (completed) usage.completion_tokens_details = completed;
  else delete usage.completion_tokens_details;
  return usage;
}

/**
 * A Responses API `usage` (a passthrough answer's, or its stream's terminal event's) read the same way:
 * `input_tokens` and `output_tokens` must be counts, else the report is null (the schema's "no usage", and
 * accounting estimates); `total_tokens` is recomputed when it is not a count; detail counts that are not
 * counts are dropped. Fields we do not read pass as they are.
 */
export function sanitizeResponsesUsage(raw: unknown): Record<string, unknown> | null {
  if (!isObject(raw)) return null;
  const input = tokenCount(raw.input_tokens);
  const output = tokenCount(raw.output_tokens);
  if (input === undefined || output === undefined) return null;
  const usage: Record<string, unknown> = { ...raw, input_tokens: input, output_tokens: output, total_tokens: tokenCount(raw.total_tokens) ?? input + output };
  const inputDetails = details(raw.input_tokens_details, input);
  if (inputDetails) usage.input_tokens_details = inputDetails;
  else delete usage.input_tokens_details;
  const outputDetails = details(raw.output_tokens_details, output);
  if (outputDetails) usage.output_tokens_details = outputDetails;
  else delete usage.output_tokens_details;
  return usage;
}

/** A details object with only its counts that are valid (each at most `cap`); undefined when none is. */
function details(raw: unknown, cap: number): Record<string, number> | undefined {
  if (!isObject(raw)) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) {
    const n = tokenCount(v);
    if (n !== undefined) out[k] = Math.min(n, cap);
  }
  return Object.keys(out).length ? out : undefined;
}

/** True when the upstream's value is exactly what sanitizing gives back (the chunk's raw text can then pass on). */
export function sameUsage(raw: unknown, clean: Usage | undefined): boolean {
  return clean !== undefined && JSON.stringify(raw) === JSON.stringify(clean);
}

/**
 * True when sanitizeOpenAIUsage would give the report back as it is (the same as sameUsage(raw, sanitized)),
 * found without building the sanitized copy and serializing both: counts where counts are read, a total that
 * is one, and details that are objects of counts within their total. Checked on every upstream answer and
 * usage chunk (~2 µs less each than sanitize + sameUsage, bench/README.md "Toward issue 14").
 */
export function isCleanUsage(raw: unknown): boolean {
  if (!isObject(raw)) return false;
  const prompt = tokenCount(raw.prompt_tokens);
  const completion = tokenCount(raw.completion_tokens);
  if (prompt === undefined || completion === undefined || tokenCount(raw.total_tokens) === undefined) return false;
  return cleanDetails(raw.prompt_tokens_details, prompt) && cleanDetails(raw.completion_tokens_details, completion);
}

function cleanDetails(raw: unknown, cap: number): boolean {
  if (raw === undefined) return true;
  if (!isObject(raw)) return false;
  let any = false;
  for (const k in raw) {
    const n = tokenCount(raw[k]);
    if (n === undefined || n > cap) return false;
    any = true;
  }
  return any;
}
