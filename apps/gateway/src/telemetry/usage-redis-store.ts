// The usage ledger in Redis, shared by every instance: one hash per day and tenant whose fields are
// `<model>\x1f<label>\x1f<metric>`, incremented atomically (HINCRBY / HINCRBYFLOAT), and one set per
// day naming the tenants that have usage that day (for the admin's all-tenant view).
import type { Redis } from "ioredis";
import type { UsageQuery, UsageRow, UsageStore } from "./usage-ledger";

const SEP = "\u001f";
const RETAIN_S = 400 * 86_400;
const METRICS = ["requests", "promptTokens", "completionTokens", "cachedTokens", "costUsd", "unpricedRequests", "cacheHits", "savedUsd"] as const;

export class RedisUsageStore implements UsageStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async write(rows: UsageRow[]): Promise<void> {
    const p = this.redis.multi();
    for (const r of rows) {
      const h = this.hashKey(r.day, r.tenant);
      const f = `${r.model}${SEP}${r.label}${SEP}`;
      p.hincrby(h, `${f}requests`, r.requests);
      p.hincrby(h, `${f}promptTokens`, r.promptTokens);
      p.hincrby(h, `${f}completionTokens`, r.completionTokens);
      p.hincrby(h, `${f}cachedTokens`, r.cachedTokens);
      if (r.costUsd) p.hincrbyfloat(h, `${f}costUsd`, r.costUsd);
      if (r.unpricedRequests) p.hincrby(h, `${f}unpricedRequests`, r.unpricedRequests);
      if (r.cacheHits) p.hincrby(h, `${f}cacheHits`, r.cacheHits);
      if (r.savedUsd) p.hincrbyfloat(h, `${f}savedUsd`, r.savedUsd);
      p.expire(h, RETAIN_S);
      p.sadd(this.tenantsKey(r.day), r.tenant);
      p.expire(this.tenantsKey(r.day), RETAIN_S);
    }
    await p.exec();
  }

  async read(q: UsageQuery): Promise<UsageRow[]> {
    const days = daysBetween(q.from, q.to);
    let pairs: Array<[string, string]>;
    if (q.tenants) pairs = days.flatMap((d) => q.tenants!.map((t) => [d, t] as [string, string]));
    else {
      const sets = await Promise.all(days.map((d) => this.redis.smembers(this.tenantsKey(d))));
      pairs = days.flatMap((d, i) => sets[i]!.map((t) => [d, t] as [string, string]));
    }
    const p = this.redis.pipeline();
    for (const [d, t] of pairs) p.hgetall(this.hashKey(d, t));
    const results = (await p.exec()) ?? [];
    // A pipeline reports a lost connection per command instead of rejecting: an unread hash must fail
    // the report (503), not read as a day without usage.
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    const rows: UsageRow[] = [];
    pairs.forEach(([day, tenant], i) => {
      const hash = (results[i]?.[1] ?? {}) as Record<string, string>;
      const byGroup = new Map<string, UsageRow>();
      for (const [field, value] of Object.entries(hash)) {
        const [model, label, metric] = field.split(SEP) as [string, string, (typeof METRICS)[number]];
        if (!METRICS.includes(metric)) continue;
        let row = byGroup.get(`${model}${SEP}${label}`);
        if (!row) {
          row = { day, tenant, model, label, requests: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costUsd: 0, unpricedRequests: 0, cacheHits: 0, savedUsd: 0 };
          byGroup.set(`${model}${SEP}${label}`, row);
        }
        row[metric] = Number(value);
      }
      rows.push(...byGroup.values());
    });
    return rows;
  }

  async close(): Promise<void> {}

  private hashKey(day: string, tenant: string): string {
    return `${this.prefix}usage:${day}:t:${tenant}`;
  }

  private tenantsKey(day: string): string {
    return `${this.prefix}usage:${day}:tenants`;
  }
}

export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}
