// The SQLite usage table: unpriced requests are counted (issue 15), also in a file written before the column existed.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../state/sqlite";
import { UsageLedger } from "./usage-ledger";
import { SqliteUsageStore } from "./usage-sqlite-store";

describe("SqliteUsageStore", () => {
  it("adds the unpriced_requests column to an older file and reports an unpriced model's cost as unknown", async () => {
    const db = openSqlite(join(mkdtempSync(join(tmpdir(), "runestone-usage-")), "old.db"));
    db.exec(`CREATE TABLE usage_daily (
      day TEXT NOT NULL, tenant TEXT NOT NULL, label TEXT NOT NULL, model TEXT NOT NULL,
      requests INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
      cached_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL,
      PRIMARY KEY (day, tenant, label, model))`);
    db.prepare("INSERT INTO usage_daily VALUES ('2026-01-01', 't', '', 'old', 1, 10, 5, 0, 0.5)").run();
    const ledger = new UsageLedger(new SqliteUsageStore(db));
    const at = new Date("2026-01-01T12:00:00Z");
    ledger.record({ tenant: "t", label: "", model: "openai/new", promptTokens: 7, completionTokens: 3, cachedTokens: 0, costUsd: null, at });
    ledger.record({ tenant: "t", label: "", model: "openai/new", promptTokens: 7, completionTokens: 3, cachedTokens: 0, costUsd: null, at });
    const rows = await ledger.query({ from: "2026-01-01", to: "2026-01-01" }, ["model"]);
    expect(rows.find((r) => r.model === "old")).toMatchObject({ requests: 1, costUsd: 0.5, unpricedRequests: 0 });
    expect(rows.find((r) => r.model === "openai/new")).toMatchObject({ requests: 2, promptTokens: 14, costUsd: 0, unpricedRequests: 2 });
    const all = await ledger.query({ from: "2026-01-01", to: "2026-01-01" }, []);
    expect(all[0]).toMatchObject({ requests: 3, costUsd: 0.5, unpricedRequests: 2 });
    await ledger.close();
    db.close();
  });
});
