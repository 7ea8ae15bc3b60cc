// Admission for a call that spends no tokens and no money but still reaches an upstream under the shared key
// (POST /v1/messages/count_tokens sent to Anthropic, whose own rate limits it counts against): one request
// against the tenant's and key's requests-per-minute, a concurrency slot while it runs, and the x-ratelimit-*
// headers; no tokens reserved, nothing charged to a budget, and no usage record (it is not a model call).
// Budgets are left out entirely (the inner admission of BudgetedAdmission): a spent budget does not refuse a
// count, and no reservation is made or settled for one.
import type { Response } from "express";
import { holdHeader } from "../core/held-headers";
import { onClose } from "../core/on-close";
import { contextOf } from "../core/request-context";
import { stateUnavailable } from "../core/state-unavailable";
import type { Tenant } from "../core/tenant";
import { BudgetedAdmission } from "./budgeted-admission";
import { rateLimited } from "./chat-admission";
import { rateLimitHeaders } from "./rate-limit-headers";
import type { Admission } from "./types";

export async function admitFreeRequest(res: Response, admission: Admission | undefined, tenant: Tenant, onError?: (err: unknown, what: string) => void): Promise<void> {
  if (!admission) return;
  const limits = admission instanceof BudgetedAdmission ? admission.inner : admission;
  const ctx = contextOf(res);
  const principal = ctx.principal;
  let result;
  try {
    result = await limits.admit({ tenant, keyId: principal?.keyId || undefined, keyLimits: principal?.limits, estimatedTokens: 0, estimateCostUsd: () => 0 });
  } catch (err) {
    onError?.(err, "admission");
    throw stateUnavailable("to apply rate limits");
  }
  if (!result.admitted) throw rateLimited(result);
  const lease = result.lease;
  onClose(res, () => void lease.release(0, 0).catch((err: unknown) => onError?.(err, "admission release")));
  if (res.headersSent) return;
  const headers = rateLimitHeaders(lease.state);
  for (const k in headers) holdHeader(res, k, headers[k]!, ctx);
}
