// Usage kept only in this process: for an app built without a state backend (unit tests).
import type { UsageQuery, UsageRow, UsageStore } from "./usage-ledger";

export class MemoryUsageStore implements UsageStore {
  private readonly rows = new Map<string, UsageRow>();

  async write(rows: UsageRow[]): Promise<void> {
    for (const r of rows) {
      const key = `${r.day}\u0000${r.tenant}\u0000${r.label}\u0000${r.model}`;
      const cur = this.rows.get(key);
      if (!cur) this.rows.set(key, { ...r });
      else {
        cur.requests += r.requests;
        cur.promptTokens += r.promptTokens;
        cur.completionTokens += r.completionTokens;
        cur.cachedTokens += r.cachedTokens;
        cur.costUsd += r.costUsd;
        cur.unpricedRequests += r.unpricedRequests;
        cur.cacheHits += r.cacheHits;
        cur.savedUsd += r.savedUsd;
      }
    }
  }

  async read(q: UsageQuery): Promise<UsageRow[]> {
    return [...this.rows.values()].filter((r) => r.day >= q.from && r.day <= q.to && (!q.tenants || q.tenants.includes(r.tenant))).map((r) => ({ ...r }));
  }

  async close(): Promise<void> {}
}
