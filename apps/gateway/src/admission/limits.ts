// Which limits a request is admitted under: its tenant's, and its key's when the key has its own.
import type { Limits } from "../core/tenant";
import type { AdmissionRequest, RateLimitState } from "./types";

export const WINDOW_MS = 60_000;

export interface Scope {
  /** A stable name for the counters, e.g. `t:acme` or `k:key_1f2e`. */
  id: string;
  maxConcurrent: number;
  requestsPerMinute: number;
  tokensPerMinute: number;
}

export function scopesFor(req: AdmissionRequest, defaultMaxConcurrent: number): Scope[] {
  const l = req.tenant.limits;
  const scopes: Scope[] = [
    {
      id: `t:${req.tenant.id}`,
      maxConcurrent: l.max_concurrent ?? defaultMaxConcurrent,
      requestsPerMinute: l.requests_per_minute ?? 0,
      tokensPerMinute: l.tokens_per_minute ?? 0,
    },
  ];
  const k = req.keyLimits;
  if (req.keyId && k && hasAny(k)) {
    scopes.push({ id: `k:${req.keyId}`, maxConcurrent: k.max_concurrent ?? 0, requestsPerMinute: k.requests_per_minute ?? 0, tokensPerMinute: k.tokens_per_minute ?? 0 });
  }
  return scopes;
}

function hasAny(l: Limits): boolean {
  return l.max_concurrent !== undefined || l.requests_per_minute !== undefined || l.tokens_per_minute !== undefined;
}

/** What one scope reports after an admission decision (0 limits mean "none of that kind"). */
export interface ScopeReport {
  requestsPerMinute: number;
  requestsUsed: number;
  requestsResetMs: number;
  tokensPerMinute: number;
  tokensUsed: number;
  tokensResetMs: number;
}

/** The headers show, per kind, the scope with the least room left. */
export function mergeReports(reports: ScopeReport[]): RateLimitState {
  const state: RateLimitState = {};
  for (const r of reports) {
    if (r.requestsPerMinute > 0) {
      const remaining = Math.max(0, r.requestsPerMinute - r.requestsUsed);
      if (state.remainingRequests === undefined || remaining < state.remainingRequests) {
        state.limitRequests = r.requestsPerMinute;
        state.remainingRequests = remaining;
        state.resetRequestsMs = Math.max(0, r.requestsResetMs);
      }
    }
    if (r.tokensPerMinute > 0) {
      const remaining = Math.max(0, r.tokensPerMinute - r.tokensUsed);
      if (state.remainingTokens === undefined || remaining < state.remainingTokens) {
        state.limitTokens = r.tokensPerMinute;
        state.remainingTokens = remaining;
        state.resetTokensMs = Math.max(0, r.tokensResetMs);
      }
    }
  }
  return state;
}

/** A reservation never exceeds the limit itself, or a large request could never be admitted. */
export function reservation(estimatedTokens: number, tokensPerMinute: number): number {
  return Math.max(0, Math.min(Math.ceil(estimatedTokens), tokensPerMinute));
}

export function refusalMessage(limit: "concurrency" | "requests" | "tokens", scope: Scope, retryAfterMs: number): string {
  const who = scope.id.startsWith("k:") ? "this API key" : "this tenant";
  const what =
    limit === "concurrency"
      ? `${scope.maxConcurrent} concurrent requests`
      : limit === "requests"
        ? `${scope.requestsPerMinute} requests per minute`
        : `${scope.tokensPerMinute} tokens per minute`;
  return `Rate limit exceeded: ${what} for ${who}. Retry after ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`;
}
