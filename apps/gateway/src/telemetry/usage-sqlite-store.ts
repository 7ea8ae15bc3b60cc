// The usage ledger in the embedded SQLite file: one row per day, tenant, label and model, upserted in
// one transaction per batch (the ledger batches, so this runs about once a second, off the request path).
import type { SqliteDb } from "../state/sqlite";
import type { UsageQuery, UsageRow, UsageStore } from "./usage-ledger";

interface Row {
  day: string;
  tenant: string;
  label: string;
  model: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  unpriced_requests: number;
  cache_hits: number;
  saved_usd: number;
}

export class SqliteUsageStore implements UsageStore {
  private readonly upsert;
  private readonly writeBatch;

  constructor(private readonly db: SqliteDb) {
    db.exec(`CREATE TABLE IF NOT EXISTS usage_daily (
      day TEXT NOT NULL, tenant TEXT NOT NULL, label TEXT NOT NULL, model TEXT NOT NULL,
      requests INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
      cached_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL,
      PRIMARY KEY (day, tenant, label, model))`);
    // Files written before unpriced models existed lack the column.
    if (!db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('usage_daily')").all().some((c) => c.name === "unpriced_requests")) {
      db.exec("ALTER TABLE usage_daily ADD COLUMN unpriced_requests INTEGER NOT NULL DEFAULT 0");
    }
    // Nor response cache hits.
    if (!db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('usage_daily')").all().some((c) => c.name === "cache_hits")) {
      db.exec("ALTER TABLE usage_daily ADD COLUMN cache_hits INTEGER NOT NULL DEFAULT 0");
      db.exec("ALTER TABLE usage_daily ADD COLUMN saved_usd REAL NOT NULL DEFAULT 0");
    }
    this.upsert = db.prepare(`INSERT INTO usage_daily (day, tenant, label, model, requests, prompt_tokens, completion_tokens, cached_tokens, cost_usd, unpriced_requests, cache_hits, saved_usd)
      VALUES (@day, @tenant, @label, @model, @requests, @promptTokens, @completionTokens, @cachedTokens, @costUsd, @unpricedRequests, @cacheHits, @savedUsd)
      ON CONFLICT (day, tenant, label, model) DO UPDATE SET requests = requests + excluded.requests,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens, cost_usd = cost_usd + excluded.cost_usd,
        unpriced_requests = unpriced_requests + excluded.unpriced_requests,
        cache_hits = cache_hits + excluded.cache_hits, saved_usd = saved_usd + excluded.saved_usd`);
    this.writeBatch = db.transaction((rows: UsageRow[]) => {
      for (const r of rows) this.upsert.run(r);
    });
  }

  async write(rows: UsageRow[]): Promise<void> {
    this.writeBatch(rows);
  }

  async read(q: UsageQuery): Promise<UsageRow[]> {
    if (q.tenants && !q.tenants.length) return [];
    const tenantFilter = q.tenants ? ` AND tenant IN (${q.tenants.map(() => "?").join(",")})` : "";
    const rows = this.db.prepare(`SELECT * FROM usage_daily WHERE day >= ? AND day <= ?${tenantFilter}`).all(q.from, q.to, ...(q.tenants ?? [])) as Row[];
    return rows.map((r) => ({
      day: r.day,
      tenant: r.tenant,
      label: r.label,
      model: r.model,
      requests: r.requests,
      promptTokens: r.prompt_tokens,
      completionTokens: r.completion_tokens,
      cachedTokens: r.cached_tokens,
      costUsd: r.cost_usd,
      unpricedRequests: r.unpriced_requests ?? 0,
      cacheHits: r.cache_hits ?? 0,
      savedUsd: r.saved_usd ?? 0,
    }));
  }

  async close(): Promise<void> {}
}
