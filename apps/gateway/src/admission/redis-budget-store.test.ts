// The Redis budget store against a real redis-server (issue 18 review): spend counted in the day and the month
// so a period change keeps it, a settle that failed retried off the request path (once, never twice), and the
// usage report leaving out reservations that expired with an instance that died; every settle idempotent (a
// settled marker), so a retry after the reservation expired still counts and a resent one counts nothing more.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis, type RedisOptions } from "ioredis";
import { startRedis, type RedisServer } from "../../test/redis-server";
import type { Tenant } from "../core/tenant";
import { BudgetedAdmission } from "./budgeted-admission";
import { budgetScope } from "./budgets";
import { MemoryAdmission } from "./memory-admission";
import { RedisBudgetStore } from "./redis-budget-store";
import type { AdmissionResult } from "./types";

let server: RedisServer;
const clients: Redis[] = [];
const NOW = Date.now();

function client(opts: RedisOptions = {}): Redis {
  const r = new Redis(server.url, opts);
  clients.push(r);
  return r;
}
const tenant = (id: string, budget: { amount_usd: number; period: "day" | "month" }): Tenant => ({ id, limits: { budget: { ...budget, allow_unpriced_models: false } }, overflow: "reject" });
const lease = (r: AdmissionResult) => {
  if (!r.admitted) throw new Error(`refused: ${r.message}`);
  return r.lease;
};
/** A client whose commands fail at once while it is disconnected (no offline queue). */
async function fragileClient(): Promise<Redis> {
  const redis = client({ enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  if (redis.status !== "ready") await new Promise((r) => redis.once("ready", r));
  return redis;
}
const admitting = (store: RedisBudgetStore) => new BudgetedAdmission(new MemoryAdmission(100), store, () => NOW);
const ask = (t: Tenant, cost: number) => ({ tenant: t, estimatedTokens: 0, estimateCostUsd: () => cost, model: "m" });

async function until(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

describe("RedisBudgetStore", () => {
  it("keeps the month's spend when a day budget becomes a month budget", async () => {
    const a = admitting(new RedisBudgetStore(client(), "rb1:", 60_000));
    const day = tenant("switch", { amount_usd: 10, period: "day" });
    await lease(await a.admit(ask(day, 1))).release(0, 9);
    const month = tenant("switch", { amount_usd: 10, period: "month" });
    expect(lease(await a.admit(ask(month, 1))).state.budgetRemainingUsd).toBeCloseTo(0, 9);
    expect(await a.admit(ask(month, 1))).toMatchObject({ admitted: false, limit: "budget_reserved" });
  });

  it("retries a settle that failed and counts the spend once", async () => {
    const redis = await fragileClient();
    const errors: unknown[] = [];
    const store = new RedisBudgetStore(redis, "rb2:", 60_000, (e) => errors.push(e), [300, 300, 300, 300, 300]);
    const a = admitting(store);
    const t = tenant("flaky", { amount_usd: 10, period: "day" });
    const l = lease(await a.admit(ask(t, 2)));
    const ended = new Promise((r) => redis.once("end", r));
    redis.disconnect();
    await ended;
    // Redis unreachable: the release does not hang or throw, and the spend is not lost.
    await l.release(0, 1.5);
    await redis.connect();
    const reader = new RedisBudgetStore(client(), "rb2:", 60_000);
    const scope = budgetScope("tenant", "flaky", null, t.limits.budget!, NOW);
    await until(async () => (await reader.read([scope]))[0]!.spentNano > 0);
    await new Promise((r) => setTimeout(r, 700));
    expect(await reader.read([scope])).toEqual([{ spentNano: 1_500_000_000, reservedNano: 0 }]);
    expect(errors).toEqual([]);
    await store.close();
  });

  it("gives up a spend it cannot settle after its retries, and says so", async () => {
    const redis = await fragileClient();
    const errors: unknown[] = [];
    const a = admitting(new RedisBudgetStore(redis, "rb3:", 60_000, (e) => errors.push(e), [50, 50]));
    const l = lease(await a.admit(ask(tenant("down", { amount_usd: 10, period: "day" }), 2)));
    const ended = new Promise((r) => redis.once("end", r));
    redis.disconnect();
    await ended;
    await l.release(0, 1);
    await until(async () => errors.length > 0);
    expect(String(errors[0])).toContain("a budget spend of 1000000000 nano-dollars was not counted: settling it failed 3 times");
  });

  it("counts a retried settle once although its reservation expired and another request dropped it meanwhile", async () => {
    const redis = await fragileClient();
    const errors: unknown[] = [];
    // Reservations hold 300 ms; the first retry comes after 800 ms, when this one is gone.
    const store = new RedisBudgetStore(redis, "rb5:", 300, (e) => errors.push(e), [800, 800, 800]);
    const t = tenant("lost", { amount_usd: 100, period: "day" });
    const l = lease(await admitting(store).admit(ask(t, 2)));
    const ended = new Promise((r) => redis.once("end", r));
    redis.disconnect();
    await ended;
    await l.release(0, 1.5);
    await redis.connect();
    await new Promise((r) => setTimeout(r, 400));
    // Another instance's request on the same budget drops the expired reservation before the retry runs.
    const other = admitting(new RedisBudgetStore(client(), "rb5:", 60_000));
    await lease(await other.admit(ask(t, 0.001))).release(0, 0);
    const scope = budgetScope("tenant", "lost", null, t.limits.budget!, NOW);
    await until(async () => (await store.read([scope]))[0]!.spentNano > 0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await store.read([scope])).toEqual([{ spentNano: 1_500_000_000, reservedNano: 0 }]);
    expect(errors).toEqual([]);
    await store.close();
  });

  it("counts a settle once when its reply is lost and ioredis sends it again after reconnecting", async () => {
    // A proxy that lets the settle reach Redis and run, then cuts the connection before the reply gets back.
    const port = Number(new URL(server.url).port);
    let cutNextScript = false;
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((c) => {
      const up = net.connect(port, "127.0.0.1");
      sockets.add(c).add(up);
      c.on("data", (d) => {
        up.write(d);
        if (cutNextScript && /evalsha|eval/i.test(d.toString("latin1"))) {
          cutNextScript = false;
          up.removeAllListeners("data");
          setTimeout(() => (c.destroy(), up.destroy()), 100);
        }
      });
      up.on("data", (d) => c.write(d));
      up.on("error", () => c.destroy());
      c.on("error", () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
    // The production client options (state/redis.ts): an in-flight command is sent again after a reconnect.
    const redis = new Redis(`redis://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 2_000 });
    try {
      if (redis.status !== "ready") await new Promise((r) => redis.once("ready", r));
      const errors: unknown[] = [];
      const store = new RedisBudgetStore(redis, "rb6:", 60_000, (e) => errors.push(e), [200, 400]);
      // One settle first, so Redis has the script cached and the cut one really runs (not a NOSCRIPT reply).
      await lease(await admitting(store).admit(ask(tenant("warm", { amount_usd: 100, period: "day" }), 1))).release(0, 0);
      const t = tenant("twice", { amount_usd: 100, period: "day" });
      const l = lease(await admitting(store).admit(ask(t, 2)));
      cutNextScript = true;
      await l.release(0, 1);
      const scope = budgetScope("tenant", "twice", null, t.limits.budget!, NOW);
      const reader = new RedisBudgetStore(client(), "rb6:", 60_000);
      await until(async () => (await reader.read([scope]))[0]!.spentNano > 0);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(cutNextScript).toBe(false);
      expect(await reader.read([scope])).toEqual([{ spentNano: 1_000_000_000, reservedNano: 0 }]);
      expect(errors).toEqual([]);
      await store.close();
    } finally {
      redis.disconnect();
      for (const so of sockets) so.destroy();
      proxy.close();
    }
  });

  it("says which spend it gives up when it is closed with retries still waiting", async () => {
    const redis = await fragileClient();
    const errors: unknown[] = [];
    const store = new RedisBudgetStore(redis, "rb7:", 60_000, (e) => errors.push(e), [60_000]);
    const l = lease(await admitting(store).admit(ask(tenant("closing", { amount_usd: 10, period: "day" }), 2)));
    const ended = new Promise((r) => redis.once("end", r));
    redis.disconnect();
    await ended;
    await l.release(0, 1.25);
    expect(errors).toEqual([]);
    await store.close();
    expect(errors.map(String)).toEqual(["Error: 1 budget spend settle(s) still waiting for a retry at shutdown were given up: 1250000000 nano-dollars not counted"]);
  });

  it("leaves reservations past their expiry out of what it reports", async () => {
    const store = new RedisBudgetStore(client(), "rb4:", 200);
    const t = tenant("died", { amount_usd: 10, period: "day" });
    lease(await admitting(store).admit(ask(t, 3)));
    const scope = budgetScope("tenant", "died", null, t.limits.budget!, NOW);
    expect(await store.read([scope])).toEqual([{ spentNano: 0, reservedNano: 3_000_000_000 }]);
    await new Promise((r) => setTimeout(r, 400));
    expect(await store.read([scope])).toEqual([{ spentNano: 0, reservedNano: 0 }]);
  });
});
