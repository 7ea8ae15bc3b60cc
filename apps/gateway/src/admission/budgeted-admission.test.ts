import { describe, expect, it } from "vitest";
import type { Tenant } from "../core/tenant";
import { BudgetedAdmission } from "./budgeted-admission";
import { MemoryAdmission } from "./memory-admission";
import { MemoryBudgetStore, type SpendRow } from "./memory-budget-store";
import type { AdmissionRequest, AdmissionResult } from "./types";

const NOW = Date.parse("2030-06-10T12:00:00Z");
const tenant = (limits: Tenant["limits"]): Tenant => ({ id: "t", limits, overflow: "reject" });
const req = (t: Tenant, cost: number | null, extra: Partial<AdmissionRequest> = {}): AdmissionRequest => ({ tenant: t, estimatedTokens: 0, estimateCostUsd: () => cost, model: "m", ...extra });
const lease = (r: AdmissionResult) => {
  if (!r.admitted) throw new Error(`refused: ${r.message}`);
  return r.lease;
};

describe("BudgetedAdmission", () => {
  it("admits while spent + reserved is below the budget, so a burst overshoots by less than one estimate", async () => {
    const a = new BudgetedAdmission(new MemoryAdmission(100), new MemoryBudgetStore(), () => NOW);
    const t = tenant({ budget: { amount_usd: 1, period: "day", allow_unpriced_models: false } });
    const admitted: AdmissionResult[] = [];
    for (let i = 0; i < 10; i++) admitted.push(await a.admit(req(t, 0.3)));
    // 0, 0.3, 0.6, 0.9 are below $1: four admitted ($1.20 reserved, $0.20 over), the rest refused.
    expect(admitted.map((r) => r.admitted)).toEqual([true, true, true, true, false, false, false, false, false, false]);
    const refused = admitted[4]!;
    // Nothing is spent yet: the reservations of the four in flight hold the budget, a refusal to retry soon.
    expect(refused).toMatchObject({ admitted: false, limit: "budget_reserved", retryAfterMs: 2_000, state: { budgetRemainingUsd: 0 } });
    expect(lease(admitted[0]!).state.budgetRemainingUsd).toBeCloseTo(0.7, 9);
  });

  it("replaces each reservation with the real cost on release, once however often it is called", async () => {
    const store = new MemoryBudgetStore();
    const a = new BudgetedAdmission(new MemoryAdmission(100), store, () => NOW);
    const t = tenant({ budget: { amount_usd: 1, period: "month", allow_unpriced_models: false } });
    const first = lease(await a.admit(req(t, 0.9)));
    expect((await a.admit(req(t, 0.1))).admitted).toBe(true);
    await first.release(0, 0.05);
    await first.release(0, 0.05);
    expect(lease(await a.admit(req(t, 0.1))).state.budgetRemainingUsd).toBeCloseTo(1 - 0.05 - 0.1 - 0.1, 9);
  });

  it("gives the reservation back when a rate limit refuses the request after the budget admitted it", async () => {
    const a = new BudgetedAdmission(new MemoryAdmission(100), new MemoryBudgetStore(), () => NOW);
    const t = tenant({ max_concurrent: 1, budget: { amount_usd: 1, period: "day", allow_unpriced_models: false } });
    const held = lease(await a.admit(req(t, 0.2)));
    for (let i = 0; i < 5; i++) expect(await a.admit(req(t, 0.2))).toMatchObject({ admitted: false, limit: "concurrency" });
    await held.release(0, 0.2);
    expect(lease(await a.admit(req(t, 0.2))).state.budgetRemainingUsd).toBeCloseTo(0.6, 9);
  });

  it("refuses a model without a price unless the budget allows it, and holds the key's budget on top of the tenant's", async () => {
    const a = new BudgetedAdmission(new MemoryAdmission(100), new MemoryBudgetStore(), () => NOW);
    const strict = tenant({ budget: { amount_usd: 5, period: "day", allow_unpriced_models: false } });
    expect(await a.admit(req(strict, null))).toMatchObject({ admitted: false, limit: "unpriced_model" });
    const lenient = tenant({ budget: { amount_usd: 5, period: "day", allow_unpriced_models: true } });
    expect((await a.admit(req(lenient, null))).admitted).toBe(true);
    const keyed = { keyId: "key_1", keyLimits: { budget: { amount_usd: 0.5, period: "day" as const, allow_unpriced_models: false } } };
    expect((await a.admit(req(lenient, 0.5, keyed))).admitted).toBe(true);
    const refused = await a.admit(req(lenient, 0.5, keyed));
    expect(refused).toMatchObject({ admitted: false, limit: "budget_reserved" });
    expect(!refused.admitted && refused.message).toContain("this API key's budget of $0.5 per day (UTC)");
  });

  it("settles a real cost that is NaN, Infinity or negative so that the budget keeps counting and never jams", async () => {
    const a = new BudgetedAdmission(new MemoryAdmission(100), new MemoryBudgetStore(), () => NOW);
    const t = tenant({ budget: { amount_usd: 1, period: "day", allow_unpriced_models: false } });
    for (const cost of [NaN, Infinity]) {
      // The cost is unknown: the reservation ($0.20) stands as the spend (NaN used to count $0, Infinity to spend the budget for the day).
      await lease(await a.admit(req(t, 0.2))).release(0, cost);
    }
    await lease(await a.admit(req(t, 0.2))).release(0, -3);
    expect(lease(await a.admit(req(t, 0.1))).state.budgetRemainingUsd).toBeCloseTo(1 - 0.4 - 0.1, 9);
  });

  it("reserves an estimate that is NaN or beyond any budget as the most a request may cost, and counts exactly after", async () => {
    const a = new BudgetedAdmission(new MemoryAdmission(100), new MemoryBudgetStore(), () => NOW);
    const t = tenant({ budget: { amount_usd: 1, period: "day", allow_unpriced_models: false } });
    for (const estimate of [NaN, 1e30]) {
      const held = lease(await a.admit(req(t, estimate)));
      // A NaN reservation used to make spent + reserved NaN, which is never at the limit: every request was admitted.
      expect(await a.admit(req(t, 0.1)), `estimate ${estimate}`).toMatchObject({ admitted: false, limit: "budget_reserved" });
      await held.release(0, 0.1);
    }
    expect(lease(await a.admit(req(t, 0.1))).state.budgetRemainingUsd).toBeCloseTo(1 - 0.2 - 0.1, 9);
  });

  it("does not price a request of a tenant without a budget", async () => {
    const a = new BudgetedAdmission(new MemoryAdmission(100), new MemoryBudgetStore(), () => NOW);
    let asked = 0;
    const r = await a.admit({ tenant: tenant({}), estimatedTokens: 0, estimateCostUsd: () => ++asked });
    expect(r.admitted).toBe(true);
    expect(asked).toBe(0);
  });
});

describe("MemoryBudgetStore persistence", () => {
  it("loads the spend at start and writes what changed behind, in one batch, at close at the latest", async () => {
    const saved: SpendRow[][] = [];
    const persistence = { load: () => [{ scope: "t:t", period: "2030-06-10", spentNano: 400_000_000 }], save: (rows: SpendRow[]) => void saved.push(rows), prune: () => undefined };
    const store = new MemoryBudgetStore(persistence);
    const a = new BudgetedAdmission(new MemoryAdmission(100), store, () => NOW);
    const t = tenant({ budget: { amount_usd: 1, period: "day", allow_unpriced_models: false } });
    const l = lease(await a.admit(req(t, 0.5)));
    expect(l.state.budgetRemainingUsd).toBeCloseTo(0.1, 9);
    await l.release(0, 0.25);
    expect(saved).toEqual([]);
    await store.close();
    // The spend is counted in the month as well as in the day, so a budget switched to monthly keeps it.
    expect(saved).toEqual([[{ scope: "t:t", period: "2030-06-10", spentNano: 650_000_000 }, { scope: "t:t", period: "2030-06", spentNano: 250_000_000 }]]);
  });
});
