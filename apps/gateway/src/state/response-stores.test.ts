// The three Responses API stores against one behaviour (a real SQLite file in a temp dir, a real
// redis-server), then what only the embedded one promises: durability across a reopen, no disk write on
// the request path, and the sweep of expired rows.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisServer } from "../../test/redis-server";
import type { ResponseStore, StoredResponse } from "../core/response-store";
import { MemoryResponseStore } from "./memory-response-store";
import { RedisResponseStore } from "./redis-response-store";
import { ResponseTooLargeToStoreError, type ResponseStoreOptions } from "./response-record-json";
import { openSqlite, type SqliteDb } from "./sqlite";
import { SqliteResponseStore } from "./sqlite-response-store";

const dirs: string[] = [];
const dbs: SqliteDb[] = [];
const clients: Redis[] = [];
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const db of dbs) if (db.open) db.close();
  await redis?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "runestone-responses-"));
  dirs.push(dir);
  return join(dir, "state.db");
}

const LONG: ResponseStoreOptions = { ttlMs: 3_600_000, maxBytes: 1 << 20 };

const kinds: Array<[string, (opts: ResponseStoreOptions) => ResponseStore]> = [
  ["memory", (opts) => new MemoryResponseStore(opts)],
  [
    "sqlite",
    (opts) => {
      const db = openSqlite(tempDbPath());
      dbs.push(db);
      return new SqliteResponseStore(db, opts);
    },
  ],
  [
    "redis",
    (opts) => {
      const c = new Redis(redis.url);
      clients.push(c);
      return new RedisResponseStore(c, `unit${clients.length}:`, opts);
    },
  ],
];

let seq = 0;
function record(tenantId: string, text = "hello"): StoredResponse {
  const id = `resp_${++seq}_${Date.now()}`;
  return {
    id,
    tenantId,
    createdAt: Math.floor(Date.now() / 1000),
    input: [{ type: "message", role: "user", content: [{ type: "input_text", text }] }],
    response: { id, object: "response", status: "completed", output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: `echo: ${text}` }] }] },
  };
}

async function waitUntil(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(kinds)("the %s response store", (_kind, open) => {
  it("gives back exactly what was put, to its tenant", async () => {
    const store = open(LONG);
    const r = record("tenant-a", "ünïcödé ✓");
    await store.put(r);
    expect(await store.get("tenant-a", r.id)).toEqual(r);
    await store.close();
  });

  it("never answers another tenant's id: get and delete find nothing and leave it in place", async () => {
    const store = open(LONG);
    const r = record("tenant-a");
    await store.put(r);
    expect(await store.get("tenant-b", r.id)).toBeUndefined();
    expect(await store.delete("tenant-b", r.id)).toBe(false);
    expect(await store.get("tenant-a", r.id)).toEqual(r);
    await store.close();
  });

  it("keeps two tenants' records under the same id apart", async () => {
    const store = open(LONG);
    const a = record("tenant-a", "from a");
    const b = { ...record("tenant-b", "from b"), id: a.id };
    await store.put(a);
    await store.put(b);
    expect((await store.get("tenant-a", a.id))?.input).toEqual(a.input);
    expect((await store.get("tenant-b", a.id))?.input).toEqual(b.input);
    await store.close();
  });

  it("deletes once: true, then the record is gone and a second delete is false", async () => {
    const store = open(LONG);
    const r = record("tenant-a");
    await store.put(r);
    expect(await store.delete("tenant-a", r.id)).toBe(true);
    expect(await store.get("tenant-a", r.id)).toBeUndefined();
    expect(await store.delete("tenant-a", r.id)).toBe(false);
    expect(await store.delete("tenant-a", "resp_never_stored")).toBe(false);
    await store.close();
  });

  it("replaces a record put twice under the same id", async () => {
    const store = open(LONG);
    const r = record("tenant-a", "first");
    await store.put(r);
    const again = { ...r, input: [...r.input, { type: "message", role: "user", content: "second" }] };
    await store.put(again);
    expect((await store.get("tenant-a", r.id))?.input).toHaveLength(2);
    await store.close();
  });

  it("forgets a record once its TTL has passed", async () => {
    const store = open({ ...LONG, ttlMs: 300 });
    const r = record("tenant-a");
    await store.put(r);
    await waitUntil(async () => (await store.get("tenant-a", r.id)) === undefined, "the record expired");
    expect(await store.delete("tenant-a", r.id)).toBe(false);
    await store.close();
  });

  it("restarts the TTL of the records touched (earlier turns of a conversation), for their tenant only", async () => {
    const store = open({ ...LONG, ttlMs: 1000 });
    const kept = record("tenant-a");
    const left = record("tenant-a");
    await store.put(kept);
    await store.put(left);
    // Touched every poll (50 ms, 20 times within the TTL): only the untouched record expires. Another tenant's
    // touch of it and an id that does not exist change nothing.
    await waitUntil(async () => {
      await store.touch!("tenant-a", [kept.id, "resp_never_stored"]);
      await store.touch!("tenant-b", [left.id]);
      return (await store.get("tenant-a", left.id)) === undefined;
    }, "the untouched record expired");
    expect(await store.get("tenant-a", kept.id)).toEqual(kept);
    await store.touch!("tenant-a", [left.id]);
    expect(await store.get("tenant-a", left.id)).toBeUndefined();
    await store.close();
  });

  it("keeps the id of the response a turn continued, and says its bound", async () => {
    const store = open({ ...LONG, maxBytes: 12_345 });
    const first = record("tenant-a", "first");
    const second = { ...record("tenant-a", "second"), previousResponseId: first.id };
    await store.put(first);
    await store.put(second);
    expect(await store.get("tenant-a", second.id)).toEqual(second);
    expect((await store.get("tenant-a", first.id))?.previousResponseId).toBeUndefined();
    expect(store.maxBytes).toBe(12_345);
    await store.close();
  });

  it("refuses a record larger than the bound, and stores nothing", async () => {
    const store = open({ ...LONG, maxBytes: 10_000 });
    const r = record("tenant-a", "x".repeat(20_000));
    await expect(store.put(r)).rejects.toBeInstanceOf(ResponseTooLargeToStoreError);
    expect(await store.get("tenant-a", r.id)).toBeUndefined();
    await store.close();
  });
});

describe("the embedded (SQLite) response store", () => {
  it("keeps records across a close and a reopen of the file, deletes included", async () => {
    const path = tempDbPath();
    let db = openSqlite(path);
    let store = new SqliteResponseStore(db, LONG);
    const kept = record("tenant-a", "kept");
    const deleted = record("tenant-a", "deleted");
    await store.put(kept);
    await store.put(deleted);
    await store.delete("tenant-a", deleted.id);
    await store.close();
    db.close();

    db = openSqlite(path);
    dbs.push(db);
    store = new SqliteResponseStore(db, LONG);
    expect(await store.get("tenant-a", kept.id)).toEqual(kept);
    expect(await store.get("tenant-a", deleted.id)).toBeUndefined();
    expect(await store.get("tenant-b", kept.id)).toBeUndefined();
    await store.close();
  });

  it("does not answer an expired row read from the file before the sweep removed it", async () => {
    const path = tempDbPath();
    let db = openSqlite(path);
    const store = new SqliteResponseStore(db, { ...LONG, ttlMs: 300 });
    const r = record("tenant-a");
    await store.put(r);
    await store.close();
    db.close();
    await new Promise((resolve) => setTimeout(resolve, 400));
    db = openSqlite(path);
    dbs.push(db);
    const reopened = new SqliteResponseStore(db, LONG);
    expect((db.prepare("SELECT count(*) AS n FROM responses").get() as { n: number }).n).toBe(1);
    expect(await reopened.get("tenant-a", r.id)).toBeUndefined();
    await reopened.close();
  });

  it("writes behind: a put reaches the file after the call returns, and is readable at once meanwhile", async () => {
    const db = openSqlite(tempDbPath());
    dbs.push(db);
    const store = new SqliteResponseStore(db, LONG);
    const count = () => (db.prepare("SELECT count(*) AS n FROM responses").get() as { n: number }).n;
    const r = record("tenant-a");
    await store.put(r);
    expect(count()).toBe(0);
    expect(await store.get("tenant-a", r.id)).toEqual(r);
    await waitUntil(async () => count() === 1, "the write-behind batch was written");
    expect(await store.get("tenant-a", r.id)).toEqual(r);
    await store.close();
  });

  it("answers a damaged row as the state backend failing (a 503), reporting it without the row's text", async () => {
    const db = openSqlite(tempDbPath());
    dbs.push(db);
    const errors: unknown[] = [];
    const store = new SqliteResponseStore(db, { ...LONG, onError: (e) => errors.push(e) });
    db.prepare("INSERT INTO responses (tenant_id, id, expires_at, record) VALUES (?, ?, ?, ?)").run("tenant-a", "resp_damaged", Date.now() + 60_000, '{"input": secret prompt text}');
    await expect(store.get("tenant-a", "resp_damaged")).rejects.toMatchObject({ status: 503, code: "state_unavailable" });
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).not.toContain("secret");
    await store.close();
  });

  it("writes a burst of puts a chunk per turn of the event loop, never all in one long transaction", async () => {
    const db = openSqlite(tempDbPath());
    dbs.push(db);
    const store = new SqliteResponseStore(db, LONG);
    const count = () => (db.prepare("SELECT count(*) AS n FROM responses").get() as { n: number }).n;
    const burst = Array.from({ length: 300 }, () => record("tenant-a"));
    for (const r of burst) await store.put(r);
    store.flush();
    expect(count()).toBe(64);
    // Every record reads back meanwhile, written or not.
    for (const r of burst) expect((await store.get("tenant-a", r.id))?.id).toBe(r.id);
    await waitUntil(async () => count() === 300, "the whole burst was written");
    await store.close();
  });

  it("writes a touch behind: the row's expiry in the file moves, an expired row's does not", async () => {
    const path = tempDbPath();
    const db = openSqlite(path);
    dbs.push(db);
    const store = new SqliteResponseStore(db, LONG);
    const r = record("tenant-a");
    await store.put(r);
    store.flush(true);
    const expiry = () => db.prepare<[string], { expires_at: number }>("SELECT expires_at FROM responses WHERE id = ?").get(r.id)?.expires_at;
    const before = expiry()!;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.touch("tenant-a", [r.id]);
    await waitUntil(async () => expiry()! > before, "the touch reached the file");
    db.prepare("UPDATE responses SET expires_at = 1 WHERE id = ?").run(r.id);
    await store.touch("tenant-a", [r.id]);
    store.flush(true);
    expect(expiry()).toBe(1);
    await store.close();
  });

  it("sweeps expired rows out of the file, over several batches", async () => {
    const db = openSqlite(tempDbPath());
    dbs.push(db);
    const store = new SqliteResponseStore(db, { ...LONG, ttlMs: 1_000 });
    for (let i = 0; i < 250; i++) await store.put(record("tenant-a"));
    store.flush(true);
    const count = () => (db.prepare("SELECT count(*) AS n FROM responses").get() as { n: number }).n;
    expect(count()).toBe(250);
    expect(await store.sweep(Date.now())).toBe(0);
    expect(await store.sweep(Date.now() + 2_000)).toBe(250);
    expect(count()).toBe(0);
    await store.close();
  });
});

describe("the Redis response store", () => {
  it("keeps one key per record, named by tenant and id, that Redis itself expires", async () => {
    const c = new Redis(redis.url);
    clients.push(c);
    const store = new RedisResponseStore(c, "keys:", { ...LONG, ttlMs: 60_000 });
    const r = record("tenant-a");
    await store.put(r);
    const keys = await c.keys("keys:*");
    expect(keys).toEqual([`keys:response:8:tenant-a:${r.id}`]);
    const ttl = await c.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("answers a damaged value as the state backend failing (a 503)", async () => {
    const c = new Redis(redis.url);
    clients.push(c);
    const store = new RedisResponseStore(c, "damaged:", LONG);
    await c.set("damaged:response:8:tenant-a:resp_damaged", '{"input": secret prompt text}');
    await expect(store.get("tenant-a", "resp_damaged")).rejects.toMatchObject({ status: 503, code: "state_unavailable" });
  });

  it("is shared: another connection (another instance) reads and deletes what one put", async () => {
    const c1 = new Redis(redis.url);
    const c2 = new Redis(redis.url);
    clients.push(c1, c2);
    const one = new RedisResponseStore(c1, "shared:", LONG);
    const two = new RedisResponseStore(c2, "shared:", LONG);
    const r = record("tenant-a");
    await one.put(r);
    expect(await two.get("tenant-a", r.id)).toEqual(r);
    expect(await two.delete("tenant-a", r.id)).toBe(true);
    expect(await one.get("tenant-a", r.id)).toBeUndefined();
  });
});
