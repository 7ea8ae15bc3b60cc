import { afterEach, describe, expect, it, vi } from "vitest";
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

  afterEach(() => vi.useRealTimers());

  it("books each request on the UTC day it ended, across midnight and a clock set back", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const ledger = new UsageLedger(new MemoryUsageStore());
    const at = (iso: string) => {
      vi.setSystemTime(new Date(iso));
      ledger.record({ tenant: "t", label: "", model: "m", promptTokens: 1, completionTokens: 0, cachedTokens: 0, costUsd: 0 });
    };
    at("2026-03-01T23:59:59.999Z");
    at("2026-03-02T00:00:00.000Z");
    at("2026-03-02T12:00:00.000Z");
    at("2026-03-01T10:00:00.000Z");
    const rows = await ledger.query({ from: "2026-03-01", to: "2026-03-02" }, ["day"]);
    expect(rows.map((r) => [r.day, r.requests])).toEqual([["2026-03-01", 2], ["2026-03-02", 2]]);
    await ledger.close();
  });
});
