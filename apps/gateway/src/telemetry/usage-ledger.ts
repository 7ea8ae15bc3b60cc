// The usage ledger: tokens and cost per day, tenant, label and model. Recording only adds to an
// in-memory batch (nothing on the request path waits on storage); the batch is written every second,
// before a query (so a caller reads its own writes) and at shutdown.
import { HttpError } from "../core/http-error";
import { stateUnavailable } from "../core/state-unavailable";
import { branchOf } from "./nested-map";
import type { TokenCounts } from "./usage-cost";

export interface UsageRow extends TokenCounts {
  day: string;
  tenant: string;
  /** The request's `tenant_id` label inside its tenant, or "" for none. */
  label: string;
  model: string;
  requests: number;
  /** Cost of the priced requests only. */
  costUsd: number;
  /** Requests of a model without a price: their tokens count, their cost is unknown. */
  unpricedRequests: number;
  /** Chat requests answered from the response cache (not in `requests`: they reached no model). */
  cacheHits: number;
  /** What those cached answers cost when they were made: spend saved. */
  savedUsd: number;
}

export interface UsageQuery {
  from: string;
  to: string;
  /** Only these tenants; undefined = all (admin). */
  tenants?: string[];
}

export interface UsageStore {
  write(rows: UsageRow[]): Promise<void>;
  read(q: UsageQuery): Promise<UsageRow[]>;
  close(): Promise<void>;
}

export type GroupField = "tenant" | "day" | "model" | "label";

export interface UsageGroup extends TokenCounts {
  tenant?: string;
  day?: string;
  model?: string;
  label?: string | null;
  requests: number;
  costUsd: number;
  unpricedRequests: number;
  cacheHits: number;
  savedUsd: number;
}

const FLUSH_MS = 1_000;

export class UsageLedger {
  /** The rows not written yet, in the order they were first recorded. */
  private batch: UsageRow[] = [];
  /** The same rows by day, tenant, label and model (one level each: no joined key per request, see nested-map.ts). */
  private index = new Map<string, Map<string, Map<string, Map<string, UsageRow>>>>();
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private day = "";
  private dayStart = 0;
  private dayEnd = 0;

  constructor(
    private readonly store: UsageStore,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** `costUsd: null`: the model has no price; its tokens are recorded and the row counts it as unpriced. */
  record(entry: Omit<UsageRow, "day" | "requests" | "costUsd" | "unpricedRequests" | "cacheHits" | "savedUsd"> & { costUsd: number | null; at?: Date }): void {
    const costUsd = entry.costUsd !== null && Number.isFinite(entry.costUsd) && entry.costUsd > 0 ? entry.costUsd : 0;
    // Added straight to the batch's row (no row of its own per request: this runs once per request). Only
    // whole, finite, non-negative counts reach SQLite or Redis (HINCRBY refuses anything else, and a NaN would
    // poison the row's sums for good).
    const row = this.rowOf(entry.at ? dayOf(entry.at) : this.today(), entry.tenant, entry.label, entry.model);
    row.requests += 1;
    row.promptTokens += whole(entry.promptTokens);
    row.completionTokens += whole(entry.completionTokens);
    row.cachedTokens += whole(entry.cachedTokens);
    row.costUsd += costUsd;
    row.unpricedRequests += entry.costUsd === null ? 1 : 0;
    this.scheduleFlush();
  }

  /** A chat request answered from the response cache: no tokens, no cost, one hit and what it saved. */
  recordCacheHit(entry: { tenant: string; label: string; model: string; savedUsd: number | null; at?: Date }): void {
    const savedUsd = entry.savedUsd !== null && Number.isFinite(entry.savedUsd) && entry.savedUsd > 0 ? entry.savedUsd : 0;
    const row = this.rowOf(entry.at ? dayOf(entry.at) : this.today(), entry.tenant, entry.label, entry.model);
    row.cacheHits += 1;
    row.savedUsd += savedUsd;
    this.scheduleFlush();
  }

  /** The UTC day now (YYYY-MM-DD), made once per day rather than from a Date per request. */
  private today(): string {
    const now = Date.now();
    if (now < this.dayStart || now >= this.dayEnd) {
      this.dayStart = now - (now % DAY_MS);
      this.dayEnd = this.dayStart + DAY_MS;
      this.day = dayOf(new Date(now));
    }
    return this.day;
  }

  private scheduleFlush(): void {
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** The batch's row of this day, tenant, label and model, made (all zeros) on first use. */
  private rowOf(day: string, tenant: string, label: string, model: string): UsageRow {
    const byModel = branchOf(branchOf(branchOf(this.index, day), tenant), label);
    let row = byModel.get(model);
    if (!row) {
      row = { day, tenant, label, model, requests: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costUsd: 0, unpricedRequests: 0, cacheHits: 0, savedUsd: 0 };
      byModel.set(model, row);
      this.batch.push(row);
    }
    return row;
  }

  /** Adds a row's counts to the batch (rows put back after a failed write). */
  private merge(r: UsageRow): void {
    const row = this.rowOf(r.day, r.tenant, r.label, r.model);
    row.requests += r.requests;
    row.promptTokens += r.promptTokens;
    row.completionTokens += r.completionTokens;
    row.cachedTokens += r.cachedTokens;
    row.costUsd += r.costUsd;
    row.unpricedRequests += r.unpricedRequests;
    row.cacheHits += r.cacheHits;
    row.savedUsd += r.savedUsd;
  }

  /** Writes the pending batch; writes are serialised so rows are never counted twice or lost. */
  flush(): Promise<void> {
    return this.write().then(() => undefined);
  }

  /** flush, answering `{ err }` when this batch's write failed (its rows are back in the batch). */
  private write(): Promise<{ err: unknown } | undefined> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.batch;
    this.batch = [];
    this.index = new Map();
    const written = this.writing.then(async () => {
      if (!rows.length) return undefined;
      try {
        await this.store.write(rows);
        return undefined;
      } catch (err) {
        // Put the rows back so the next flush retries them.
        for (const r of rows) this.merge(r);
        this.onError(err);
        return { err };
      }
    });
    this.writing = written.then(() => undefined);
    return written;
  }

  async query(q: UsageQuery, groupBy: GroupField[]): Promise<UsageGroup[]> {
    // A report without this instance's own unwritten rows would be wrong, not late: when they cannot be
    // written, the query fails with the write's error (503 when Redis is unreachable) instead of reading
    // on. The read alone may still succeed: ioredis fails a write queued during an outage after its
    // retries, and a read queued just after waits and runs once Redis is back.
    // Any backend: a SQLite write that failed (disk full, I/O error) is a 503 too, never a 500.
    const failed = await this.write();
    if (failed) throw failed.err instanceof HttpError ? failed.err : stateUnavailable("to record this instance's usage before the report");
    const rows = await this.store.read(q);
    const groups = new Map<string, UsageGroup>();
    for (const r of rows) {
      const key = groupBy.map((f) => (f === "tenant" ? r.tenant : f === "day" ? r.day : f === "model" ? r.model : r.label)).join("\u0000");
      let g = groups.get(key);
      if (!g) {
        g = { requests: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costUsd: 0, unpricedRequests: 0, cacheHits: 0, savedUsd: 0 };
        if (groupBy.includes("tenant")) g.tenant = r.tenant;
        if (groupBy.includes("day")) g.day = r.day;
        if (groupBy.includes("model")) g.model = r.model;
        if (groupBy.includes("label")) g.label = r.label || null;
        groups.set(key, g);
      }
      g.requests += r.requests;
      g.promptTokens += r.promptTokens;
      g.completionTokens += r.completionTokens;
      g.cachedTokens += r.cachedTokens;
      g.costUsd += r.costUsd;
      g.unpricedRequests += r.unpricedRequests ?? 0;
      g.cacheHits += r.cacheHits ?? 0;
      g.savedUsd += r.savedUsd ?? 0;
    }
    return [...groups.values()].sort((a, b) => cmp(a.day, b.day) || cmp(a.tenant, b.tenant) || cmp(a.model, b.model) || cmp(a.label ?? "", b.label ?? ""));
  }

  async close(): Promise<void> {
    await this.flush();
    await this.store.close();
  }
}

function cmp(a: string | undefined, b: string | undefined): number {
  return (a ?? "").localeCompare(b ?? "");
}

const DAY_MS = 86_400_000;

const dayOf = (d: Date): string => d.toISOString().slice(0, 10);

function whole(n: unknown): number {
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
