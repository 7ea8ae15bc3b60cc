// The admission step of the routes without an overflow queue (/v1/messages, /v1/embeddings): refuse
// past the tenant's limits with the shared 429, and once admitted, account the request when its
// response closes (the lease reconciled with the tokens seen, the usage ledger written).
import type { Response } from "express";
import { onClose } from "../http/on-close";
import type { Tenant } from "../state/key-store";
import { recordUsageOnClose } from "../telemetry/record-usage-on-close";
import type { UsageLedger } from "../telemetry/usage-ledger";
import { tokensSeen, type UsageLocals } from "../telemetry/usage-seen";
import { rateLimited } from "./chat-admission";
import type { Admission } from "./types";

export interface RequestEstimate {
  /** Prompt plus output cap: what the token limit reserves. */
  tokens: number;
  /** The prompt alone: what is accounted if the client leaves before any usage report. */
  promptTokens: number;
}

export async function admitRequest(
  res: Response,
  deps: { admission?: Admission; ledger?: UsageLedger },
  tenant: Tenant,
  estimate: RequestEstimate,
): Promise<void> {
  if (deps.admission) {
    const decision = await deps.admission.admit({ tenant, estimatedTokens: estimate.tokens });
    if (!decision.admitted) throw rateLimited(decision);
    const lease = decision.lease;
    onClose(res, () => void lease.release(tokensSeen(res)));
  }
  (res.locals as UsageLocals).promptEstimate = estimate.promptTokens;
  recordUsageOnClose(res, deps.ledger, tenant.id);
}
