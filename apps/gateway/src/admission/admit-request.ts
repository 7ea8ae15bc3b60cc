// The admission step of the routes other than chat (/v1/messages, /v1/embeddings, /v1/responses): the same
// step as chat (tenant and key limits, x-ratelimit-* headers, 503 when the state backend fails, the
// lease reconciled and the usage ledger written when the response closes), refusing with the shared 429
// unless the caller's overflow (the queue, for a non-streaming Responses request) answers the refusal.
import type { Response } from "express";
import type { Tenant } from "../core/tenant";
import { recordUsageOnClose } from "../telemetry/record-usage-on-close";
import type { UsageLedger } from "../telemetry/usage-ledger";
import { contextOf } from "../core/request-context";
import { admitChat, rateLimited, type AdmissionEstimate, type Refusal } from "./chat-admission";
import type { Admission } from "./types";

/** Tokens and the deployments that may serve the request (for budgets: their prices). */
export type RequestEstimate = AdmissionEstimate;

export async function admitRequest(
  res: Response,
  deps: { admission?: Admission; ledger?: UsageLedger; onError?(err: unknown, what: string): void },
  tenant: Tenant,
  estimate: RequestEstimate,
  /** Answers a refusal another way (e.g. a 202 from the queue) and says so; otherwise the refusal is thrown. */
  overflow?: (refusal: Refusal) => Promise<boolean>,
): Promise<boolean> {
  if (deps.admission) {
    const accounting = deps.ledger && { ledger: deps.ledger, tenantById: () => undefined, onError: deps.onError };
    const decision = await admitChat(deps.admission, accounting, res, tenant, estimate);
    if (!decision.admitted) {
      if (overflow && (await overflow(decision))) return false;
      throw rateLimited(decision);
    }
    if (accounting) return true;
  }
  contextOf(res).promptEstimate = estimate.promptTokens;
  recordUsageOnClose(res, deps.ledger, tenant.id);
  return true;
}
