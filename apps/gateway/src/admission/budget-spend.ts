// What a finished request spent, for reconciling its budget reservation: the usage seen (reported, or
// estimated for a cut stream or a client gone) at the price of the deployment that served it. Nothing reached
// a provider, a model without a price, or an answer marked cost-free: $0.
import type { Response } from "express";
import { candidatePricing } from "../telemetry/attempt-cost";
import { costUsd } from "../telemetry/usage-cost";
import type { UsageSeen } from "../telemetry/usage-seen";

const costFree = new WeakSet<Response>();

/**
 * Marks an answer that cost nothing upstream (a response-cache hit): its budget reservation is reconciled to
 * $0 whatever usage the request's context carries. Call it before the response closes.
 */
export function markCostFree(res: Response): void {
  costFree.add(res);
}

export function spendSeen(res: Response, seen: UsageSeen | undefined): number {
  if (!seen || costFree.has(res)) return 0;
  return costUsd(candidatePricing(seen.candidate), seen.counts) ?? 0;
}
