// Writes a finished request's tokens and cost to the usage ledger once its response closes (also when
// the client went away: what was seen or estimated so far is accounted, see usage-seen.ts). Used by the
// chat admission's accounting and by the routes without it (/v1/messages, /v1/embeddings).
import type { Response } from "express";
import { onClose } from "../core/on-close";
import { candidatePricing } from "./attempt-cost";
import { costUsd } from "./usage-cost";
import type { UsageLedger } from "./usage-ledger";
import { usageSeen, type UsageSeen } from "./usage-seen";

export function recordUsageOnClose(res: Response, ledger: UsageLedger | undefined, tenantId: string, label = ""): void {
  if (!ledger) return;
  onClose(res, () => recordUsage(res, ledger, tenantId, label), "usage-ledger");
}

/**
 * Records what `usageSeen` reports for this response, priced by the deployment that served it. A caller that
 * already asked `usageSeen` once the response closed passes its answer instead of having it worked out again.
 */
export function recordUsage(res: Response, ledger: UsageLedger, tenantId: string, label = "", seen: UsageSeen | undefined = usageSeen(res)): void {
  if (!seen) return;
  const { counts, candidate } = seen;
  ledger.record({
    tenant: tenantId,
    label,
    model: candidate.model.id,
    promptTokens: counts.promptTokens,
    completionTokens: counts.completionTokens,
    cachedTokens: counts.cachedTokens,
    costUsd: costUsd(candidatePricing(candidate), counts),
  });
}
