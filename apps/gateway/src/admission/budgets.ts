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
  /**
   * The other period's window at the same instant (the month of a day budget, the day of a month budget).
   * Spend is counted in both, so a budget switched from day to month (or back) still knows what was spent.
   */
  otherWindow: PeriodWindow;
}

export const NANO = 1_000_000_000;

export const toNano = (usd: number): number => Math.max(0, Math.round(usd * NANO));

export const fromNano = (nano: number): number => nano / NANO;

export function budgetScope(kind: "tenant" | "key", tenantId: string, keyId: string | null, budget: Budget, nowMs: number): BudgetScope {
  const other = budget.period === "day" ? "month" : "day";
  return { id: kind === "tenant" ? `t:${tenantId}` : `k:${keyId}`, kind, tenantId, keyId, budget, amountNano: toNano(budget.amount_usd), window: periodWindow(budget.period, nowMs), otherWindow: periodWindow(other, nowMs) };
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
  return `Budget exceeded: ${describe(s)} is spent ($${formatUsd(fromNano(spentNano))} spent of $${formatUsd(s.budget.amount_usd)}). It resets at ${at}, in ${humanDuration(s.window.endMs - nowMs)}.`;
}

/**
 * How soon a request held back by reservations alone may try again: requests in flight settle to their real
 * cost (usually well below their estimate) within their run time, so the budget usually has room again soon.
 */
export const RESERVED_RETRY_MS = 2_000;

export interface BudgetRefusal {
  /** `budget`: spent until the period ends. `budget_reserved`: not spent, but held by requests in flight. */
  limit: "budget" | "budget_reserved";
  retryAfterMs: number;
  message: string;
}

/**
 * Why a reservation was refused. A spent budget waits for its period's end (the latest of them when several
 * are spent: earlier resets would only be refused again); a budget whose rest is merely reserved by requests in
 * flight is worth retrying within seconds, as they settle.
 */
export function budgetRefusal(scopes: readonly BudgetScope[], spend: readonly { spentNano: number; reservedNano: number }[], nowMs: number): BudgetRefusal {
  let spent = -1;
  for (let i = 0; i < scopes.length; i++) {
    if (spend[i]!.spentNano >= scopes[i]!.amountNano && (spent < 0 || scopes[i]!.window.endMs > scopes[spent]!.window.endMs)) spent = i;
  }
  if (spent >= 0) {
    const s = scopes[spent]!;
    return { limit: "budget", retryAfterMs: Math.max(1_000, s.window.endMs - nowMs), message: budgetExceededMessage(s, spend[spent]!.spentNano, nowMs) };
  }
  const held = Math.max(0, scopes.findIndex((s, i) => spend[i]!.spentNano + spend[i]!.reservedNano >= s.amountNano));
  const s = scopes[held]!;
  const { spentNano, reservedNano } = spend[held]!;
  return {
    limit: "budget_reserved",
    retryAfterMs: RESERVED_RETRY_MS,
    message: `Budget reserved: requests in flight hold the rest of ${describe(s)} ($${formatUsd(fromNano(spentNano))} spent and $${formatUsd(fromNano(reservedNano))} reserved, of $${formatUsd(s.budget.amount_usd)}). Retry after ${humanDuration(RESERVED_RETRY_MS)}, when they have finished.`,
  };
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
