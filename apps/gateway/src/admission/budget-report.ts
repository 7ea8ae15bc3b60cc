// The budgets and their spend in the current period, as GET /v1/usage and the dashboard show them. Read live
// from the budget store (memory, or Redis in Redis mode), not from the batched usage ledger.
import type { Schema } from "@runestone/contract";
import type { Limits } from "../core/tenant";
import { budgetScope, fromNano, type Budget, type BudgetScope } from "./budgets";
import type { BudgetStore } from "./budget-store";

/** Where spend is counted and the clock that says which period it is (a BudgetedAdmission). */
export interface BudgetBook {
  readonly store: BudgetStore;
  readonly now: () => number;
}

export interface BudgetOwner {
  tenantId: string;
  /** null for a tenant's own budget. */
  keyId: string | null;
  limits: Limits | undefined;
}

/** Whose budgets a caller may read: tenants by id, and keys with their limits (managed-key-store.ts). */
export interface BudgetDirectory {
  tenantIds(): string[];
  tenant(id: string): { limits: Limits } | undefined;
  listKeys(tenantId?: string): Array<{ id: string; tenantId: string; revokedAt: number | null; limits?: Limits }>;
}

/** The tenants' budgets, and those of their keys when `withKeys` (the admin's view). */
export function budgetOwners(dir: BudgetDirectory, tenantIds: string[] | undefined, withKeys: boolean): BudgetOwner[] {
  const ids = tenantIds ?? dir.tenantIds();
  const owners: BudgetOwner[] = ids.map((id) => ({ tenantId: id, keyId: null, limits: dir.tenant(id)?.limits }));
  if (withKeys) {
    const wanted = new Set(ids);
    for (const k of dir.listKeys()) if (k.revokedAt === null && wanted.has(k.tenantId)) owners.push({ tenantId: k.tenantId, keyId: k.id, limits: k.limits });
  }
  return owners;
}

export async function budgetStatuses(book: BudgetBook, owners: BudgetOwner[]): Promise<Array<Schema<"BudgetStatus">>> {
  const now = book.now();
  const scopes: BudgetScope[] = [];
  for (const o of owners) {
    const b = o.limits?.budget as Budget | undefined;
    if (b) scopes.push(budgetScope(o.keyId === null ? "tenant" : "key", o.tenantId, o.keyId, b, now));
  }
  if (!scopes.length) return [];
  const spend = await book.store.read(scopes);
  return scopes.map((s, i) => {
    const { spentNano, reservedNano } = spend[i]!;
    return {
      scope: s.kind,
      tenant_id: s.tenantId,
      key_id: s.keyId,
      amount_usd: s.budget.amount_usd,
      period: s.budget.period,
      spent_usd: fromNano(spentNano),
      reserved_usd: fromNano(reservedNano),
      remaining_usd: fromNano(Math.max(0, s.amountNano - spentNano - reservedNano)),
      resets_at: Math.floor(s.window.endMs / 1000),
    };
  });
}
