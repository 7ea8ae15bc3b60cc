// The admission contract between the HTTP layer, tenant limits and the overflow queue.
//
// HTTP in -> auth -> validate -> admission.admit(...)
//   admitted: run the request, then lease.release(actual usage) exactly once (also on error/disconnect);
//   refused:  if the tenant overflows to the queue (config `overflow: queue`, or the request header
//             `x-runestone-overflow: queue`), enqueue it and answer 202; else answer 429 with Retry-After.
import type { Limits, Tenant } from "../core/tenant";

/** The rate limits (admission/limits.ts). */
export type RateLimitName = "concurrency" | "requests" | "tokens";
/**
 * What refused a request: a rate limit, a spent budget, a budget whose rest requests in flight have reserved
 * (transient, like a rate limit), or a model without a price under a budget.
 */
export type LimitName = RateLimitName | "budget" | "budget_reserved" | "unpriced_model";

export interface AdmissionRequest {
  tenant: Tenant;
  /** Optional per-key limits id (the key's hash prefix), when keys carry their own limits. */
  keyId?: string;
  /** Estimated prompt tokens plus the output cap: reserved before the call, reconciled after. */
  estimatedTokens: number;
  /** The key's own limits, enforced on top of the tenant's (keyed by keyId). */
  keyLimits?: Limits;
  /**
   * The request's estimated cost in USD (prompt plus output cap at the catalog's prices), or null when a
   * deployment that may serve it has no price. Asked only when a budget applies (budgeted-admission.ts).
   */
  estimateCostUsd?(): number | null;
  /** The requested model, for the message of an unpriced model's refusal. */
  model?: string;
}

/** Values for the x-ratelimit-* headers, present on every response of a limited tenant. */
export interface RateLimitState {
  limitRequests?: number;
  remainingRequests?: number;
  /** Seconds until the request window frees capacity, e.g. "1.2s" style is rendered by the HTTP layer. */
  resetRequestsMs?: number;
  limitTokens?: number;
  remainingTokens?: number;
  resetTokensMs?: number;
  /** USD left in the tightest budget that applies, after this request's reservation. */
  budgetRemainingUsd?: number;
}

export interface Lease {
  readonly state: RateLimitState;
  /**
   * Frees the concurrency slot and reconciles the token reservation with what was really used, and a budget's
   * reservation with what was really spent (USD). The cost is required, never defaulted to the estimate: a
   * caller that ran nothing (a queued job cancelled before it started) says so with 0.
   */
  release(actualTokens: number | undefined, actualCostUsd: number): Promise<void>;
}

export type AdmissionResult =
  | { admitted: true; lease: Lease }
  | { admitted: false; limit: LimitName; retryAfterMs: number; state: RateLimitState; message: string };

export interface Admission {
  admit(req: AdmissionRequest): Promise<AdmissionResult>;
  close(): Promise<void>;
  /**
   * Calls back with the tenant id whenever one of its concurrency slots is released, so the embedded
   * queue can start a waiting job at once rather than at its next retry. In-process admission only.
   */
  onSlotFreed?(listener: (tenantId: string) => void): void;
}
