// The embedded budget store (issue 18 review): spend is counted in the day and the month, so a budget whose
// period changes keeps what was spent; counters and SQLite rows of past periods are dropped once a new day begins.
import { describe, expect, it } from "vitest";
import type { Tenant } from "../core/tenant";
import { openSqlite } from "../state/sqlite";
import { SqliteBudgetSpend } from "../state/sqlite-budget-spend";
import { BudgetedAdmission } from "./budgeted-admission";
import { MemoryAdmission } from "./memory-admission";
import { MemoryBudgetStore } from "./memory-budget-store";
import type { AdmissionResult } from "./types";

const tenant = (id: string, period: "day" | "month", amount_usd = 10): Tenant => ({ id, limits: { budget: { amount_usd, period, allow_unpriced_models: false } }, overflow: "reject" });
const ask = (t: Tenant, cost: number) => ({ tenant: t, estimatedTokens: 0, estimateCostUsd: () => cost, model: "m" });
const lease = (r: AdmissionResult) => {
  if (!r.admitted) throw new Error(`refused: ${r.message}`);
  return r.lease;
};

describe("MemoryBudgetStore", () => {
  it("keeps the month's spend when a day budget becomes a month budget, and the day's when it goes back", async () => {
    const now = Date.parse("2030-01-20T12:00:00Z");
    const a = new BudgetedAdmission(new MemoryAdmission(10), new MemoryBudgetStore(), () => now);
    await lease(await a.admit(ask(tenant("t", "day"), 1))).release(0, 9);
    expect(lease(await a.admit(ask(tenant("t", "month"), 1))).state.budgetRemainingUsd).toBeCloseTo(0, 9);
    expect(await a.admit(ask(tenant("t", "month"), 0.5))).toMatchObject({ admitted: false, limit: "budget_reserved" });
    const b = new BudgetedAdmission(new MemoryAdmission(10), new MemoryBudgetStore(), () => now);
    await lease(await b.admit(ask(tenant("t", "month"), 1))).release(0, 4);
    expect(lease(await b.admit(ask(tenant("t", "day"), 1))).state.budgetRemainingUsd).toBeCloseTo(5, 9);
  });

  it("drops the counters and SQLite rows of past periods once a new day begins, keeping the current ones", async () => {
    let now = Date.parse("2030-01-31T12:00:00Z");
    const db = openSqlite(":memory:");
    const spend = new SqliteBudgetSpend(db, () => now);
    const store = new MemoryBudgetStore(spend);
    const a = new BudgetedAdmission(new MemoryAdmission(10), store, () => now);
    for (const id of ["a", "b", "c"]) await lease(await a.admit(ask(tenant(id, "day"), 1))).release(0, 1);
    store.flush();
    const periods = () => (db.prepare("SELECT period, count(*) AS n FROM budget_spend GROUP BY period ORDER BY period").all() as Array<{ period: string; n: number }>).map((r) => `${r.period}:${r.n}`);
    expect(periods()).toEqual(["2030-01:3", "2030-01-31:3"]);
    expect(store.size).toBe(6);
    now = Date.parse("2030-02-01T00:30:00Z");
    await lease(await a.admit(ask(tenant("a", "month"), 1))).release(0, 2);
    store.flush();
    // Only February's counters are left: January's day and month are past.
    expect(periods()).toEqual(["2030-02:1", "2030-02-01:1"]);
    expect(store.size).toBe(2);
    expect((await store.read([{ id: "t:a", window: { key: "2030-02" } } as never]))[0]).toEqual({ spentNano: 2_000_000_000, reservedNano: 0 });
  });

  it("keeps the spend of the day the requests are in after the clock steps back past a later day", async () => {
    let now = Date.parse("2030-03-14T23:00:00Z");
    const db = openSqlite(":memory:");
    const store = new MemoryBudgetStore(new SqliteBudgetSpend(db, () => now));
    const a = new BudgetedAdmission(new MemoryAdmission(10), store, () => now);
    now = Date.parse("2030-04-01T00:00:00Z"); // a later day seen once (a clock set ahead, then corrected)
    await lease(await a.admit(ask(tenant("later", "day"), 1))).release(0, 1);
    now = Date.parse("2030-03-14T23:00:00Z");
    await lease(await a.admit(ask(tenant("t", "day", 2), 1))).release(0, 1);
    await lease(await a.admit(ask(tenant("t", "day", 2), 1))).release(0, 1);
    store.flush();
    // Pruned against 2030-04-01 this day's $2 was dropped, and a third request was admitted past the $2 budget.
    expect(await a.admit(ask(tenant("t", "day", 2), 1))).toMatchObject({ admitted: false, limit: "budget" });
  });
});
