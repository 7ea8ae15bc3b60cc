// The admission step of the chat path. Before routing: resolve `tenant_id` (label or act-for).
// Admitting: apply the tenant's and the key's limits, put the x-ratelimit-* headers on the response
// (JSON, stream or error alike), and when the response closes (finished, failed, or the client went
// away) release the lease exactly once, reconciled with the usage seen, and record it in the ledger.
import type { Response } from "express";
import { HttpError } from "../core/http-error";
import { holdHeader } from "../core/held-headers";
import { onClose } from "../core/on-close";
import type { ChatRequest } from "../core/provider-contract";
import type { Tenant } from "../core/tenant";
import { contextOf, type RequestContext } from "../core/request-context";
import { stateUnavailable } from "../core/state-unavailable";
import { recordUsage } from "../telemetry/record-usage-on-close";
import type { UsageLedger } from "../telemetry/usage-ledger";
import { answerChars, outputChars, type OutputPart } from "../core/estimate-tokens";
import { usageSeen } from "../telemetry/usage-seen";
import type { Candidate } from "../core/route-plan";
import { estimateCostUsd } from "./budgets";
import { spendSeen } from "./budget-spend";
import { rateLimitHeaders } from "./rate-limit-headers";
import { resolveTenantId } from "./resolve-tenant";
import type { Admission, AdmissionResult, RateLimitState } from "./types";

export type Refusal = Extract<AdmissionResult, { admitted: false }>;

/** What admission reserves: tokens for the token limits, and their cost at the candidates' prices for budgets. */
export interface AdmissionEstimate {
  /** Prompt plus output cap: what the token limit reserves. */
  tokens: number;
  /** The prompt alone: what is accounted if the client leaves before any usage report. */
  promptTokens: number;
  /** The deployments that may serve the request (the route plan's): their prices set a budget's reservation. */
  candidates: readonly Candidate[];
}

export interface ChatAccounting {
  ledger: UsageLedger;
  tenantById(id: string): Tenant | undefined;
  onError?(err: unknown, what: string): void;
}

/** Before routing: the tenant whose limits, models and usage apply, and the usage label. */
export function resolveChatTenant(acc: ChatAccounting | undefined, res: Response, body: ChatRequest & Record<string, unknown>): void {
  const ctx = contextOf(res);
  const principal = ctx.principal ?? { keyId: "", tenant: ctx.tenant! };
  const { tenant, label } = resolveTenantId(principal, body.tenant_id, (id) => acc?.tenantById(id));
  ctx.tenant = tenant;
  ctx.usageLabel = label;
}

/**
 * Admits the request under its tenant's and key's limits. On admission the lease is released when the
 * response closes; on refusal the context's `refusal` is set and the caller queues it or answers
 * `rateLimited(refusal)`.
 */
export async function admitChat(
  admission: Admission,
  acc: ChatAccounting | undefined,
  res: Response,
  tenant: Tenant,
  estimate: AdmissionEstimate,
): Promise<AdmissionResult> {
  const ctx = contextOf(res);
  const principal = ctx.principal;
  let result: AdmissionResult;
  try {
    result = await admission.admit({
      tenant,
      keyId: principal?.keyId || undefined,
      keyLimits: principal?.limits,
      estimatedTokens: estimate.tokens,
      // Priced only when a budget applies.
      estimateCostUsd: () => estimateCostUsd(estimate.candidates, estimate.promptTokens, estimate.tokens),
      model: estimate.candidates[0]?.model.id,
    });
  } catch (err) {
    acc?.onError?.(err, "admission");
    throw stateUnavailable("to apply rate limits");
  }
  if (!result.admitted) {
    setRateLimitHeaders(res, result.state, ctx);
    ctx.refusal = result;
    return result;
  }
  // The release is registered before anything else runs: whatever throws after this point (a header on
  // a response already answered, say) cannot keep the slot taken.
  const lease = result.lease;
  const label = ctx.usageLabel ?? "";
  ctx.promptEstimate = estimate.promptTokens;
  onClose(res, () => {
    const seen = usageSeen(res);
    const tokens = seen ? seen.counts.promptTokens + seen.counts.completionTokens : 0;
    lease.release(tokens, spendSeen(res, seen)).catch((err) => acc?.onError?.(err, "admission release"));
    if (acc) recordUsage(res, acc.ledger, tenant.id, label, seen);
  });
  setRateLimitHeaders(res, lease.state, ctx);
  return result;
}

/** A response already under way (or answered) keeps the headers it sent: setting one now would throw. */
function setRateLimitHeaders(res: Response, state: RateLimitState, ctx: RequestContext): void {
  if (res.headersSent) return;
  // Held until the head is written (core/held-headers.ts), in this order, as setHeader would place them.
  const headers = rateLimitHeaders(state);
  for (const k in headers) holdHeader(res, k, headers[k]!, ctx);
}

/** The answer to a refusal that is not queued: 429 for a limit or a spent budget, 403 for an unpriced model. */
export function rateLimited(refusal: Refusal): HttpError {
  if (refusal.limit === "budget") {
    return new HttpError({
      status: 429,
      type: "insufficient_quota",
      code: "budget_exceeded",
      message: refusal.message,
      headers: { "retry-after": String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))), ...rateLimitHeaders(refusal.state) },
    });
  }
  if (refusal.limit === "budget_reserved") {
    // Not spent: requests in flight hold the rest, and settle soon. A transient limit, retried within seconds.
    return new HttpError({
      status: 429,
      type: "rate_limit_error",
      code: "budget_reserved",
      message: refusal.message,
      headers: { "retry-after": String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))), ...rateLimitHeaders(refusal.state) },
    });
  }
  if (refusal.limit === "unpriced_model") {
    // 403, not 400: the request is valid and would run for a tenant without a budget; this tenant's policy
    // forbids it (like model_not_allowed), and retrying does not help until the model or the policy changes.
    return new HttpError({ status: 403, type: "permission_error", code: "model_not_priced", param: "model", message: refusal.message });
  }
  return new HttpError({
    status: 429,
    type: "rate_limit_error",
    code: "rate_limit_exceeded",
    message: refusal.message,
    headers: { "retry-after": String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))), ...rateLimitHeaders(refusal.state) },
  });
}

/** Counts streamed content, so a stream the client cuts short still accounts what it received. */
export function tallyStreamed(ctx: RequestContext, chunk: { choices?: Array<{ delta?: OutputPart }> }): void {
  let chars = 0;
  for (const c of chunk.choices ?? []) chars += outputChars(c.delta);
  ctx.streamedChars += chars;
}

/** A whole answer's output characters, for an estimate when the provider reported no usage. */
export function tallyAnswer(ctx: RequestContext, completion: { choices?: Array<{ message?: OutputPart }> }): void {
  ctx.streamedChars = answerChars(completion);
}
