// What the deployment that answered charged: its own price when the catalog overrides it for that
// deployment (e.g. a reseller), else its model's; priced like the usage ledger (usage-cost.ts).
import type { Usage } from "../core/provider-contract";
import type { Pricing } from "../core/catalog-model";
import type { Candidate } from "../core/route-plan";
import type { Attempt } from "../core/route-plan";
import type { JobUsageEvent } from "../core/gateway-events";
import { costUsd } from "./usage-cost";

export function attemptPricing(a: Attempt): Pricing | undefined {
  return candidatePricing(a.candidate);
}

export function candidatePricing(c: Candidate): Pricing | undefined {
  const { model, provider, upstreamModel } = c;
  const d = model.deployments.find((x) => x.provider.id === provider.id && x.model === upstreamModel);
  return d?.pricing ?? model.pricing;
}

export function attemptCost(a: Attempt, t: { promptTokens: number; completionTokens: number; cachedTokens?: number }): number | undefined {
  const pricing = attemptPricing(a);
  return pricing ? costUsd(pricing, { ...t, cachedTokens: t.cachedTokens ?? 0 }) : undefined;
}

/** A queued job's tokens and cost, for the jobUsage event. */
export function jobUsage(tenant: string, a: Attempt, usage: Usage | undefined): JobUsageEvent {
  const t = { promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? 0, cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? undefined };
  return { tenant, provider: a.candidate.provider.id, model: a.candidate.model.id, ...t, costUsd: attemptCost(a, t) };
}
