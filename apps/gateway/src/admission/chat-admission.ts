// The admission step of the chat path. Before routing: resolve `tenant_id` (label or act-for).
// Admitting: apply the tenant's and the key's limits, put the x-ratelimit-* headers on the response
// (JSON, stream or error alike), and when the response closes (finished, failed, or the client went
// away) release the lease exactly once, reconciled with the usage seen, and record it in the ledger.
import type { Response } from "express";
import { HttpError } from "../core/http-error";
import { onClose } from "../core/on-close";
import type { ChatRequest } from "../core/provider-contract";
import type { Tenant } from "../core/tenant";
import { contextOf, type RequestContext } from "../core/request-context";
import { stateUnavailable } from "../core/state-unavailable";
import { recordUsage } from "../telemetry/record-usage-on-close";
import type { UsageLedger } from "../telemetry/usage-ledger";
import { answerChars, outputChars, type OutputPart } from "../core/estimate-tokens";
import { tokensSeen } from "../telemetry/usage-seen";
import { rateLimitHeaders } from "./rate-limit-headers";
import { resolveTenantId } from "./resolve-tenant";
import type { Admission, AdmissionResult, RateLimitState } from "./types";

export type Refusal = Extract<AdmissionResult, { admitted: false }>;

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
  estimate: { tokens: number; promptTokens: number },
): Promise<AdmissionResult> {
  const ctx = contextOf(res);
  const principal = ctx.principal;
  let result: AdmissionResult;
  try {
    result = await admission.admit({ tenant, keyId: principal?.keyId || undefined, keyLimits: principal?.limits, estimatedTokens: estimate.tokens });
  } catch (err) {
    acc?.onError?.(err, "admission");
    throw stateUnavailable("to apply rate limits");
  }
  if (!result.admitted) {
    setRateLimitHeaders(res, result.state);
    ctx.refusal = result;
    return result;
  }
  // The release is registered before anything else runs: whatever throws after this point (a header on
  // a response already answered, say) cannot keep the slot taken.
  const lease = result.lease;
  const label = ctx.usageLabel ?? "";
  ctx.promptEstimate = estimate.promptTokens;
  onClose(res, () => {
    lease.release(tokensSeen(res)).catch((err) => acc?.onError?.(err, "admission release"));
    if (acc) recordUsage(res, acc.ledger, tenant.id, label);
  });
  setRateLimitHeaders(res, lease.state);
  return result;
}

/** A response already under way (or answered) keeps the headers it sent: setting one now would throw. */
function setRateLimitHeaders(res: Response, state: RateLimitState): void {
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(rateLimitHeaders(state))) res.setHeader(k, v);
}

/** The 429 for a refusal that is not queued. */
export function rateLimited(refusal: Refusal): HttpError {
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
