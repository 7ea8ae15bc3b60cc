// The Responses API's store in the embedded SQLite file. better-sqlite3 is synchronous, so a put or a
// delete never touches the file on the request path: it lands in a map of pending writes, written in one
// transaction shortly after (FLUSH_MS), before close, and whenever the batch grows large. Reads look at the
// pending map first (a client reads its own writes at once), then at the records written last (a conversation
// usually continues the response just answered: no disk read for it), and only then do one primary-key lookup.
// Expired rows are never answered and are swept in small batches on a timer.
import type { ResponseStore, StoredResponse } from "../core/response-store";
import { stateUnavailable } from "../core/state-unavailable";
import { decodeStoredResponse, encodeStoredResponse, type ResponseStoreOptions } from "./response-record-json";
import type { SqliteDb } from "./sqlite";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS responses (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  record TEXT NOT NULL,
  UNIQUE (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS responses_by_expiry ON responses (expires_at);
`;

const FLUSH_MS = 100;
/** Pending writes past which a flush starts at once rather than on its timer. */
const FLUSH_AT = 256;
/**
 * Records written per transaction, each transaction in its own turn of the event loop: a burst of puts never
 * holds the loop for long (about 70 µs per 4 KB record measured here, so a few ms per chunk).
 */
const FLUSH_CHUNK = 64;
/** TTL refreshes (touch) written per transaction, one transaction per turn of the event loop. */
const TOUCH_CHUNK = 256;
const SWEEP_EVERY_MS = 60_000;
/** Rows deleted per sweep statement, one statement per turn of the event loop, so a sweep never holds it for long. */
const SWEEP_BATCH = 100;
/** JSON bytes (about) of the records written last that reads find in memory. */
const RECENT_BYTES = 8 * 1024 * 1024;

/** A pending put (its JSON text) or a pending delete (null). */
interface Pending {
  tenantId: string;
  id: string;
  text: string | null;
  expiresAt: number;
}

export class SqliteResponseStore implements ResponseStore {
  private pending = new Map<string, Pending>();
  /** Written rows whose expiry a touch moved, written behind like puts (key -> the row and its new expiry). */
  private touches = new Map<string, { tenantId: string; id: string; expiresAt: number }>();
  /** The last records written, oldest first (Map order), within RECENT_BYTES. */
  private readonly recent = new Map<string, Pending>();
  private recentBytes = 0;
  private flushTimer?: NodeJS.Timeout;
  private flushSoon?: NodeJS.Immediate;
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;
  private readonly select;
  private readonly writeBatch;
  private readonly touchBatch;
  private readonly sweepBatch;

  constructor(
    db: SqliteDb,
    private readonly opts: ResponseStoreOptions & { onError?: (err: unknown) => void },
  ) {
    db.exec(SCHEMA);
    this.select = db.prepare<[string, string, number], { record: string }>("SELECT record FROM responses WHERE tenant_id = ? AND id = ? AND expires_at > ?");
    const upsert = db.prepare("INSERT INTO responses (tenant_id, id, expires_at, record) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, id) DO UPDATE SET expires_at = excluded.expires_at, record = excluded.record");
    const remove = db.prepare("DELETE FROM responses WHERE tenant_id = ? AND id = ?");
    this.writeBatch = db.transaction((rows: Pending[]) => {
      for (const r of rows) {
        if (r.text === null) remove.run(r.tenantId, r.id);
        else upsert.run(r.tenantId, r.id, r.expiresAt, r.text);
      }
    });
    // Only a row still alive: a touch never revives an expired one.
    const touch = db.prepare("UPDATE responses SET expires_at = ? WHERE tenant_id = ? AND id = ? AND expires_at > ?");
    this.touchBatch = db.transaction((rows: Array<{ tenantId: string; id: string; expiresAt: number }>, now: number) => {
      for (const r of rows) touch.run(r.expiresAt, r.tenantId, r.id, now);
    });
    const sweep = db.prepare("DELETE FROM responses WHERE rowid IN (SELECT rowid FROM responses WHERE expires_at <= ? LIMIT ?)");
    this.sweepBatch = (now: number) => sweep.run(now, SWEEP_BATCH).changes;
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweepTimer.unref();
  }

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  get maxConversationBytes(): number | undefined {
    return this.opts.maxConversationBytes;
  }

  async put(record: StoredResponse): Promise<void> {
    const text = encodeStoredResponse(record, this.opts.maxBytes);
    this.queue({ tenantId: record.tenantId, id: record.id, text, expiresAt: Date.now() + this.opts.ttlMs });
  }

  /**
   * A pending or recently written record's expiry moves in memory at once; the row's in the file is an UPDATE
   * written behind with the puts (a touch lost to a failing file only lets the turn expire on its own time).
   */
  async touch(tenantId: string, ids: readonly string[]): Promise<void> {
    if (this.closed) return;
    const now = Date.now();
    const expiresAt = now + this.opts.ttlMs;
    for (const id of ids) {
      const key = keyOf(tenantId, id);
      const p = this.pending.get(key);
      if (p) {
        // Not written yet: the put (or delete) carries the new expiry itself.
        if (p.text !== null && p.expiresAt > now) p.expiresAt = expiresAt;
        continue;
      }
      const r = this.recent.get(key);
      if (r && r.expiresAt > now) r.expiresAt = expiresAt;
      this.touches.set(key, { tenantId, id, expiresAt });
    }
    if (this.touches.size) this.schedule(FLUSH_MS);
  }

  async get(tenantId: string, id: string): Promise<StoredResponse | undefined> {
    const now = Date.now();
    const key = keyOf(tenantId, id);
    const p = this.pending.get(key) ?? this.recent.get(key);
    if (p) return p.text !== null && p.expiresAt > now ? decodeStoredResponse(p.text) : undefined;
    // The one synchronous disk read on a request path (GET, input_items, previous_response_id): better-sqlite3
    // is synchronous by design and the repo has no async SQLite reader, so it is kept to one lookup on the
    // (tenant_id, id) unique index, and only on a miss of the two maps above. Measured here: about 20 µs per cold
    // read of an 8 KB record, JSON parse included, so even a 1,000-turn chain read cold holds the loop ~20 ms.
    // A file that cannot be read (I/O error, closed, a damaged row) is the state backend failing: a 503 to retry.
    try {
      const row = this.select.get(tenantId, id, now);
      return row ? decodeStoredResponse(row.record) : undefined;
    } catch (err) {
      // A JSON parse error's message quotes the text it failed on: a conversation never reaches the logs.
      this.opts.onError?.(err instanceof SyntaxError ? new Error("a stored response is not valid JSON") : err);
      throw stateUnavailable("to read stored responses");
    }
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    if (!(await this.get(tenantId, id))) return false;
    this.queue({ tenantId, id, text: null, expiresAt: 0 });
    return true;
  }

  /** Deletes the rows expired at `now`, a batch per turn of the event loop. Resolves to how many went. */
  async sweep(now = Date.now()): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        if (this.closed) return total;
        const n = this.sweepBatch(now);
        total += n;
        if (n < SWEEP_BATCH) return total;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      this.opts.onError?.(err);
      return total;
    }
  }

  /**
   * Writes pending puts and deletes: one chunk, the rest in the next turns of the event loop; with `all` (close,
   * tests) everything now. A failed chunk is kept (unless newer writes replaced it) and retried later.
   */
  flush(all = false): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.flushSoon) clearImmediate(this.flushSoon);
    this.flushSoon = undefined;
    do {
      if (!this.pending.size) break;
      const batch = new Map<string, Pending>();
      for (const [k, p] of this.pending) {
        batch.set(k, p);
        if (batch.size >= FLUSH_CHUNK) break;
      }
      for (const k of batch.keys()) this.pending.delete(k);
      try {
        this.writeBatch([...batch.values()]);
        for (const [k, p] of batch) this.remember(k, p);
      } catch (err) {
        for (const [k, p] of batch) if (!this.pending.has(k)) this.pending.set(k, p);
        this.opts.onError?.(err);
        this.schedule(FLUSH_MS * 10);
        return;
      }
    } while (all);
    this.flushTouches(all);
    if (this.pending.size || this.touches.size) this.flushNextTurn();
  }

  /** One chunk of pending touches (all with `all`), after the puts they may follow. */
  private flushTouches(all: boolean): void {
    const now = Date.now();
    do {
      if (!this.touches.size) return;
      const rows: Array<{ tenantId: string; id: string; expiresAt: number }> = [];
      for (const [k, t] of this.touches) {
        rows.push(t);
        this.touches.delete(k);
        if (rows.length >= TOUCH_CHUNK) break;
      }
      try {
        this.touchBatch(rows, now);
      } catch (err) {
        this.opts.onError?.(err);
        return;
      }
    } while (all);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.flush(true);
  }

  private remember(key: string, p: Pending): void {
    const old = this.recent.get(key);
    if (old) {
      this.recent.delete(key);
      this.recentBytes -= old.text?.length ?? 0;
    }
    if (p.text === null || p.text.length > RECENT_BYTES / 4) return;
    this.recent.set(key, p);
    this.recentBytes += p.text.length;
    for (const [k, e] of this.recent) {
      if (this.recentBytes <= RECENT_BYTES) break;
      this.recent.delete(k);
      this.recentBytes -= e.text?.length ?? 0;
    }
  }

  private queue(p: Pending): void {
    if (this.closed) throw new Error("the response store is closed");
    this.pending.set(keyOf(p.tenantId, p.id), p);
    if (this.pending.size >= FLUSH_AT) this.flushNextTurn();
    else this.schedule(FLUSH_MS);
  }

  private flushNextTurn(): void {
    this.flushSoon ??= setImmediate(() => {
      this.flushSoon = undefined;
      this.flush();
    });
  }

  private schedule(ms: number): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), ms);
    this.flushTimer.unref();
  }
}

const keyOf = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;
