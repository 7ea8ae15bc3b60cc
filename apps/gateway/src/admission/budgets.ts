// Spending budgets (`limits.budget` of a tenant or a key): which apply to a request, in which period, and how
// money is counted. Amounts are held as integer nano-dollars, so that sums are exact in memory, in SQLite and
// in Redis's integer counters (HINCRBY), and a budget of up to about $9 million fits a double exactly.
import type { BudgetConfig } from "../config/schema";
import type { Candidate } from "../core/route-plan";
import { candidatePricing } from "../telemetry/attempt-cost";
import { periodWindow, type PeriodWindow } from "./budget-period";

/** The budget as stored: the admin API may leave `allow_unpriced_models` out (false). */
export type Budget = Omit<BudgetConfig, "allow_unpriced_models"> & { allow_unpriced_models?: boolean };

export interface BudgetScope {
  /** The spend counter's name: `t:<tenant>` or `k:<key id>`. */
  id: string;
  kind: "tenant" | "key";
  tenantId: string;
  keyId: string | null;
  budget: Budget;
  amountNano: number;
  window: PeriodWindow;
}

export const NANO = 1_000_000_000;

export const toNano = (usd: number): number => Math.max(0, Math.round(usd * NANO));

export const fromNano = (nano: number): number => nano / NANO;

export function budgetScope(kind: "tenant" | "key", tenantId: string, keyId: string | null, budget: Budget, nowMs: number): BudgetScope {
  return { id: kind === "tenant" ? `t:${tenantId}` : `k:${keyId}`, kind, tenantId, keyId, budget, amountNano: toNano(budget.amount_usd), window: periodWindow(budget.period, nowMs) };
}

/** USD with up to nine decimals and no exponent: `21.58518`, `0.0000001`, `25`. */
export function formatUsd(usd: number): string {
  return usd.toFixed(9).replace(/\.?0+$/, "");
}

/**
 * What a request may cost at most: its estimated prompt tokens at the input price plus its output cap at the
 * output price, at the highest of the prices of the deployments that may serve it (a fallback may). `null`
 * when one of them has no price: its spend could not be counted.
 */
export function estimateCostUsd(candidates: readonly Candidate[], promptTokens: number, totalTokens: number): number | null {
  let most = 0;
  const output = Math.max(0, totalTokens - promptTokens);
  for (const c of candidates) {
    const p = candidatePricing(c);
    if (!p) return null;
    most = Math.max(most, (promptTokens * p.input_per_1m + output * p.output_per_1m) / 1_000_000);
  }
  return most;
}

function owner(s: BudgetScope): string {
  return s.kind === "tenant" ? "this tenant's" : "this API key's";
}

function describe(s: BudgetScope): string {
  return `${owner(s)} budget of $${formatUsd(s.budget.amount_usd)} per ${s.budget.period === "day" ? "day" : "month"} (UTC)`;
}

export function budgetExceededMessage(s: BudgetScope, spentNano: number, nowMs: number): string {
  const at = new Date(s.window.endMs).toISOString().replace(".000Z", "Z");
  return `Budget exceeded: ${describe(s)} is spent ($${formatUsd(fromNano(spentNano))} of $${formatUsd(s.budget.amount_usd)}). It resets at ${at}, in ${humanDuration(s.window.endMs - nowMs)}.`;
}

export function unpricedMessage(s: BudgetScope, model: string | undefined): string {
  const what = model ? `model '${model}' has` : "the requested model has";
  const setting = s.kind === "tenant" ? "limits.budget.allow_unpriced_models: true on the tenant" : "budget.allow_unpriced_models: true in the key's limits";
  return `${what} no known price, so its spend cannot be counted against ${describe(s)}. Use a priced model, or set ${setting} to let unpriced models run (counted as $0).`;
}

/** `9 h 12 min`, `3 min`, `12 s`. */
export function humanDuration(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.ceil(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
