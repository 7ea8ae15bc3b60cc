// Budgets on top of the rate limits: wraps an Admission (memory or Redis) so that every caller of `admit` (the
// model routes through admitChat, and queued jobs at their run time) is held to the tenant's and the key's
// `limits.budget`. A request without a budget pays one check and goes straight to the rate limits.
//
// With a budget: a model without a price is refused unless every budget allows it; then the estimated cost is
// reserved in every budget at once (refused when one is spent); then the rate limits decide (a refusal there
// gives the reservation back). Releasing the lease replaces the reservation with the real cost.
import { budgetRefusal, budgetScope, fromNano, toNano, unpricedMessage, type BudgetScope } from "./budgets";
import type { BudgetStore } from "./budget-store";
import type { Admission, AdmissionRequest, AdmissionResult } from "./types";

/** The most one request may reserve or spend (about $9M): above any budget ($1M at most), exact in a double and in Redis's integer counters. */
const MAX_REQUEST_NANO = Number.MAX_SAFE_INTEGER;

/**
 * A cost as nano-dollars a store can count. A cost that is not a number (NaN from some broken count, or
 * Infinity) must neither disable a budget (NaN compares false with every limit) nor jam it for the rest of the
 * period: an estimate counts as the most a request may cost (the budget holds), a real cost as `unknown`
 * (the reservation stands as the spend).
 */
function countableNano(usd: number, unknown: number): number {
  if (Number.isNaN(usd)) return unknown;
  return Math.min(MAX_REQUEST_NANO, toNano(usd));
}

export class BudgetedAdmission implements Admission {
  readonly onSlotFreed?: (listener: (tenantId: string) => void) => void;

  constructor(
    /** The rate limits and slots alone: what a call that charges nothing (count_tokens) is admitted through. */
    readonly inner: Admission,
    readonly store: BudgetStore,
    /** The clock that says which period it is (tests move it; Redis mode reads Redis's). */
    readonly now: () => number = Date.now,
  ) {
    if (inner.onSlotFreed) this.onSlotFreed = (listener) => inner.onSlotFreed!(listener);
  }

  admit(req: AdmissionRequest): Promise<AdmissionResult> {
    const tenantBudget = req.tenant.limits.budget;
    const keyBudget = req.keyId ? req.keyLimits?.budget : undefined;
    if (!tenantBudget && !keyBudget) return this.inner.admit(req);
    const now = this.now();
    const scopes: BudgetScope[] = [];
    if (tenantBudget) scopes.push(budgetScope("tenant", req.tenant.id, null, tenantBudget, now));
    if (keyBudget) scopes.push(budgetScope("key", req.tenant.id, req.keyId!, keyBudget, now));
    return this.admitWithin(req, scopes, now);
  }

  async close(): Promise<void> {
    await this.inner.close();
    await this.store.close();
  }

  private async admitWithin(req: AdmissionRequest, scopes: BudgetScope[], now: number): Promise<AdmissionResult> {
    const cost = req.estimateCostUsd?.() ?? null;
    if (cost === null) {
      const strict = scopes.find((s) => !s.budget.allow_unpriced_models);
      if (strict) return { admitted: false, limit: "unpriced_model", retryAfterMs: 0, state: {}, message: unpricedMessage(strict, req.model) };
    }
    const needNano = countableNano(cost ?? 0, MAX_REQUEST_NANO);
    const reserved = await this.store.reserve(scopes, needNano);
    if (!reserved.ok) return { admitted: false, ...budgetRefusal(scopes, reserved.spend, now), state: { budgetRemainingUsd: 0 } };
    let inner: AdmissionResult;
    try {
      inner = await this.inner.admit(req);
    } catch (err) {
      await this.store.settle(reserved.handle, 0).catch(() => undefined);
      throw err;
    }
    const budgetRemainingUsd = fromNano(reserved.remainingNano);
    if (!inner.admitted) {
      await this.store.settle(reserved.handle, 0);
      return { ...inner, state: { ...inner.state, budgetRemainingUsd: fromNano(reserved.remainingNano + needNano) } };
    }
    const lease = inner.lease;
    const store = this.store;
    return {
      admitted: true,
      lease: {
        state: { ...lease.state, budgetRemainingUsd },
        async release(actualTokens: number | undefined, actualCostUsd: number) {
          // The spend is counted before the slot is freed, so a request or job waiting for that slot is admitted
          // against it. The store settles a reservation once, however often this is called.
          try {
            await store.settle(reserved.handle, actualCostUsd === undefined || !Number.isFinite(actualCostUsd) ? needNano : countableNano(actualCostUsd, needNano));
          } finally {
            await lease.release(actualTokens, 0);
          }
        },
      },
    };
  }
}
