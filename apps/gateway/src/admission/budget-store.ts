// Where budget spend is counted: per scope (tenant or key) and period, what finished requests spent and what
// requests in flight reserved. `reserve` is atomic over every scope of a request: it admits while the spent
// plus reserved amount of each scope is still below its budget, so a burst overshoots by at most one request's
// estimate. Embedded: memory-budget-store.ts (persisted write-behind); Redis: redis-budget-store.ts.
import type { BudgetScope } from "./budgets";

export type ReserveResult =
  | { ok: true; handle: ReservationHandle; /** Least room left over the scopes, this reservation included. */ remainingNano: number }
  | { ok: false; /** Per scope, in the order given: what it had spent and reserved when this one was refused. */ spend: ScopeSpend[] };

/** Opaque to callers: what `settle` needs to find the reservation again. */
export type ReservationHandle = object;

export interface ScopeSpend {
  spentNano: number;
  reservedNano: number;
}

export interface BudgetStore {
  reserve(scopes: readonly BudgetScope[], needNano: number): ReserveResult | Promise<ReserveResult>;
  /** Replaces the reservation with what the request really spent (once per handle). */
  settle(handle: ReservationHandle, actualNano: number): Promise<void>;
  /** What each scope has spent and reserved in its current period (for GET /v1/usage and the dashboard). */
  read(scopes: readonly BudgetScope[]): Promise<ScopeSpend[]>;
  close(): Promise<void>;
}
