// Why a budget refuses (issue 18 review): a spent budget waits for its period's end, the latest of the spent
// ones; a budget whose rest is only reserved by requests in flight is a short, transient refusal; a lease is
// settled with the cost its caller states, never the estimate by default.
import { describe, expect, it } from "vitest";
import type { Tenant } from "../core/tenant";
import { BudgetedAdmission } from "./budgeted-admission";
import { MemoryAdmission } from "./memory-admission";
import { MemoryBudgetStore } from "./memory-budget-store";
import type { AdmissionRequest, AdmissionResult } from "./types";

const NOW = Date.parse("2030-06-10T12:00:00Z");
const tenant = (limits: Tenant["limits"]): Tenant => ({ id: "t", limits, overflow: "reject" });
const req = (t: Tenant, cost: number, extra: Partial<AdmissionRequest> = {}): AdmissionRequest => ({ tenant: t, estimatedTokens: 0, estimateCostUsd: () => cost, model: "m", ...extra });
const lease = (r: AdmissionResult) => {
  if (!r.admitted) throw new Error(`refused: ${r.message}`);
  return r.lease;
};
const day = (amount_usd: number) => ({ amount_usd, period: "day" as const, allow_unpriced_models: false });
const month = (amount_usd: number) => ({ amount_usd, period: "month" as const, allow_unpriced_models: false });

describe("a budget refusal", () => {
  it("is budget_reserved with a retry in seconds while only reservations of requests in flight fill the budget", async () => {
    const a = new BudgetedAdmission(new MemoryAdmission(100), new MemoryBudgetStore(), () => NOW);
    const t = tenant({ budget: day(5) });
    const held = lease(await a.admit(req(t, 5)));
    const refused = await a.admit(req(t, 1));
    expect(refused).toMatchObject({ admitted: false, limit: "budget_reserved", retryAfterMs: 2_000, state: { budgetRemainingUsd: 0 } });
    expect(!refused.admitted && refused.message).toBe(
      "Budget reserved: requests in flight hold the rest of this tenant's budget of $5 per day (UTC) ($0 spent and $5 reserved, of $5). Retry after 2 s, when they have finished.",
    );
    // Settled at its real cost, the reservation gives the budget back at once.
    await held.release(10, 1);
    expect(lease(await a.admit(req(t, 1))).state.budgetRemainingUsd).toBeCloseTo(3, 9);
  });

  it("is budget_exceeded until the period's end once the spend alone reaches the budget, and says what was spent without the reservations", async () => {
    const a = new BudgetedAdmission(new MemoryAdmission(100), new MemoryBudgetStore(), () => NOW);
    const t = tenant({ budget: day(5) });
    await lease(await a.admit(req(t, 1))).release(1, 4.5);
    lease(await a.admit(req(t, 1)));
    // $4.50 spent and $1 reserved: reservations alone do not make it spent.
    expect(await a.admit(req(t, 1))).toMatchObject({ admitted: false, limit: "budget_reserved" });
    const b = new BudgetedAdmission(new MemoryAdmission(100), new MemoryBudgetStore(), () => NOW);
    await lease(await b.admit(req(t, 1))).release(1, 5.25);
    // A dollar reserved on the same counter under a larger budget: the refusal below must not count it as spent.
    lease(await b.admit(req(tenant({ budget: day(50) }), 1)));
    const refused = await b.admit(req(t, 1));
    expect(refused).toMatchObject({ admitted: false, limit: "budget", retryAfterMs: 12 * 3_600_000 });
    expect(!refused.admitted && refused.message).toContain("is spent ($5.25 spent of $5)");
  });

  it("waits for the latest reset among the spent budgets, not the first one checked", async () => {
    const a = new BudgetedAdmission(new MemoryAdmission(100), new MemoryBudgetStore(), () => NOW);
    const t = tenant({ budget: day(1) });
    const keyed = { keyId: "k1", keyLimits: { budget: month(1) } };
    await lease(await a.admit(req(t, 1, keyed))).release(1, 1);
    const refused = await a.admit(req(t, 0.1, keyed));
    // The day's budget resets at midnight, but the key's month budget stays spent until July.
    expect(refused).toMatchObject({ admitted: false, limit: "budget", retryAfterMs: Date.parse("2030-07-01T00:00:00Z") - NOW });
    expect(!refused.admitted && refused.message).toContain("this API key's budget of $1 per month (UTC) is spent");
  });
});

describe("a lease's release", () => {
  it("settles exactly the cost its caller states: 0 for a queued job that never ran", async () => {
    const store = new MemoryBudgetStore();
    const a = new BudgetedAdmission(new MemoryAdmission(100), store, () => NOW);
    const t = tenant({ budget: day(10) });
    const l = lease(await a.admit(req(t, 4)));
    // @ts-expect-error the cost is required: a missing one used to settle the whole estimate as spent.
    const omitted: Parameters<typeof l.release> = [0];
    expect(omitted).toHaveLength(1);
    await l.release(0, 0);
    expect(lease(await a.admit(req(t, 1))).state.budgetRemainingUsd).toBeCloseTo(9, 9);
  });
});
