import { afterEach, describe, expect, it, vi } from "vitest";
import { UsageLedger, type UsageRow, type UsageStore } from "./usage-ledger";
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

  it("puts the rows of a failed write back, and the next write has them once, summed with what came since, in the order first seen", async () => {
    const written: UsageRow[][] = [];
    let fail = true;
    const store: UsageStore = {
      write: async (rows) => {
        if (fail) throw new Error("down");
        written.push(rows.map((r) => ({ ...r })));
      },
      read: async () => [],
      close: async () => undefined,
    };
    const errors: unknown[] = [];
    const ledger = new UsageLedger(store, (err) => errors.push(err));
    const at = new Date("2026-03-01T10:00:00.000Z");
    ledger.record({ tenant: "t", label: "", model: "b", promptTokens: 1, completionTokens: 2, cachedTokens: 0, costUsd: 0.25, at });
    ledger.record({ tenant: "t", label: "x", model: "a", promptTokens: 3, completionTokens: 4, cachedTokens: 1, costUsd: null, at });
    ledger.recordCacheHit({ tenant: "t", label: "", model: "b", savedUsd: 0.5, at });
    await ledger.flush();
    expect(errors).toHaveLength(1);
    fail = false;
    ledger.record({ tenant: "t", label: "", model: "b", promptTokens: 10, completionTokens: 20, cachedTokens: 5, costUsd: 0.125, at });
    ledger.record({ tenant: "u", label: "", model: "a", promptTokens: 1, completionTokens: 1, cachedTokens: 0, costUsd: 0, at });
    await ledger.flush();
    await ledger.flush();
    const day = "2026-03-01";
    expect(written).toEqual([
      [
        { day, tenant: "t", label: "", model: "b", requests: 2, promptTokens: 11, completionTokens: 22, cachedTokens: 5, costUsd: 0.375, unpricedRequests: 0, cacheHits: 1, savedUsd: 0.5 },
        { day, tenant: "t", label: "x", model: "a", requests: 1, promptTokens: 3, completionTokens: 4, cachedTokens: 1, costUsd: 0, unpricedRequests: 1, cacheHits: 0, savedUsd: 0 },
        { day, tenant: "u", label: "", model: "a", requests: 1, promptTokens: 1, completionTokens: 1, cachedTokens: 0, costUsd: 0, unpricedRequests: 0, cacheHits: 0, savedUsd: 0 },
      ],
    ]);
    await ledger.close();
  });

  it("a query whose own rows cannot be written fails with a 503 state_unavailable instead of reading on (the read alone may succeed, e.g. queued until Redis is back)", async () => {
    const stored: UsageRow[] = [];
    let fail = true;
    const down = Object.assign(new Error("Reached the max retries per request limit"), { name: "MaxRetriesPerRequestError" });
    const store: UsageStore = {
      write: async (rows) => {
        if (fail) throw down;
        stored.push(...rows.map((r) => ({ ...r })));
      },
      read: async () => stored,
      close: async () => undefined,
    };
    const errors: unknown[] = [];
    const ledger = new UsageLedger(store, (err) => errors.push(err));
    const at = new Date("2026-03-01T10:00:00.000Z");
    ledger.record({ tenant: "t", label: "", model: "a", promptTokens: 1, completionTokens: 2, cachedTokens: 0, costUsd: 0.25, at });
    await expect(ledger.query({ from: "2026-03-01", to: "2026-03-01" }, ["day"])).rejects.toMatchObject({ status: 503, code: "state_unavailable", headers: { "retry-after": "1" } });
    expect(errors).toEqual([down]);
    fail = false;
    const rows = await ledger.query({ from: "2026-03-01", to: "2026-03-01" }, ["day"]);
    expect(rows.map((r) => [r.day, r.requests, r.promptTokens])).toEqual([["2026-03-01", 1, 1]]);
    // Nothing pending: a query reads without writing.
    expect((await ledger.query({ from: "2026-03-01", to: "2026-03-01" }, ["day"])).map((r) => r.requests)).toEqual([1]);
    await ledger.close();
  });
});
