import { describe, expect, it } from "vitest";
import { UsageLedger } from "./usage-ledger";
import { MemoryUsageStore } from "./usage-memory-store";

describe("UsageLedger.record", () => {
  it("stores only whole, finite, non-negative counts and costs, whatever it is handed", async () => {
    const ledger = new UsageLedger(new MemoryUsageStore());
    const bad = [NaN, Infinity, -5, "12", {}, 2.7] as unknown as number[];
    for (const v of bad) ledger.record({ tenant: "t", label: "", model: "m", promptTokens: v, completionTokens: v, cachedTokens: v, costUsd: v });
    ledger.record({ tenant: "t", label: "", model: "m", promptTokens: 10, completionTokens: 4, cachedTokens: 1, costUsd: 0.5 });
    const day = new Date().toISOString().slice(0, 10);
    const [row] = await ledger.query({ from: day, to: day }, ["model"]);
    expect(row).toMatchObject({ requests: 7, promptTokens: 12, completionTokens: 6, cachedTokens: 3 });
    expect(row!.costUsd).toBeCloseTo(3.2);
    await ledger.close();
  });
});
