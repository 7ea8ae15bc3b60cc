// The admission step of the routes without an overflow queue (/v1/messages, /v1/embeddings): the same
// step as chat (tenant and key limits, x-ratelimit-* headers, 503 when the state backend fails, the
// lease reconciled and the usage ledger written when the response closes), refusing with the shared 429.
import type { Response } from "express";
import type { Tenant } from "../core/tenant";
import { recordUsageOnClose } from "../telemetry/record-usage-on-close";
import type { UsageLedger } from "../telemetry/usage-ledger";
import { contextOf } from "../core/request-context";
import { admitChat, rateLimited, type AdmissionEstimate } from "./chat-admission";
import type { Admission } from "./types";

/** Tokens and the deployments that may serve the request (for budgets: their prices). */
export type RequestEstimate = AdmissionEstimate;

export async function admitRequest(
  res: Response,
  deps: { admission?: Admission; ledger?: UsageLedger; onError?(err: unknown, what: string): void },
  tenant: Tenant,
  estimate: RequestEstimate,
): Promise<void> {
  if (deps.admission) {
    const accounting = deps.ledger && { ledger: deps.ledger, tenantById: () => undefined, onError: deps.onError };
    const decision = await admitChat(deps.admission, accounting, res, tenant, estimate);
    if (!decision.admitted) throw rateLimited(decision);
    if (accounting) return;
  }
  contextOf(res).promptEstimate = estimate.promptTokens;
  recordUsageOnClose(res, deps.ledger, tenant.id);
}
