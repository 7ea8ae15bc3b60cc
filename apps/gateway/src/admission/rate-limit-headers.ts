// The x-ratelimit-* headers (OpenAI's names and duration format), from an admission's state.
import { formatUsd } from "./budgets";
import type { RateLimitState } from "./types";

/** 350 -> "350ms", 12_500 -> "12.5s", 62_000 -> "1m2s". */
export function formatDuration(ms: number): string {
  const v = Math.max(0, Math.ceil(ms));
  if (v < 1_000) return `${v}ms`;
  if (v < 60_000) return `${Math.round(v / 100) / 10}s`;
  const m = Math.floor(v / 60_000);
  return `${m}m${Math.round((v - m * 60_000) / 1000)}s`;
}

export function rateLimitHeaders(s: RateLimitState): Record<string, string> {
  const h: Record<string, string> = {};
  if (s.limitRequests !== undefined) {
    h["x-ratelimit-limit-requests"] = String(s.limitRequests);
    h["x-ratelimit-remaining-requests"] = String(s.remainingRequests ?? 0);
    h["x-ratelimit-reset-requests"] = formatDuration(s.resetRequestsMs ?? 0);
  }
  if (s.limitTokens !== undefined) {
    h["x-ratelimit-limit-tokens"] = String(s.limitTokens);
    h["x-ratelimit-remaining-tokens"] = String(s.remainingTokens ?? 0);
    h["x-ratelimit-reset-tokens"] = formatDuration(s.resetTokensMs ?? 0);
  }
  if (s.budgetRemainingUsd !== undefined) h["x-runestone-budget-remaining-usd"] = formatUsd(s.budgetRemainingUsd);
  return h;
}
