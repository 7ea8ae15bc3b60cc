import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { startRedis, type RedisServer } from "../../test/redis-server";
import type { Tenant } from "../core/tenant";
import { RedisAdmission } from "./redis-admission";

let server: RedisServer;
const clients: Redis[] = [];
const tenant = (id: string, limits: Tenant["limits"]): Tenant => ({ id, limits, overflow: "reject" });

function instance(leaseTtlMs: number): RedisAdmission {
  const r = new Redis(server.url);
  clients.push(r);
  return new RedisAdmission(r, { prefix: "unit:", defaultMaxConcurrent: 10, leaseTtlMs });
}

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

describe("RedisAdmission", () => {
  it("frees the slots of an instance that died without releasing them after one lease period", async () => {
    const dying = instance(400);
    const t = tenant("dies", { max_concurrent: 1 });
    const held = await dying.admit({ tenant: t, estimatedTokens: 0 });
    expect(held.admitted).toBe(true);
    await dying.close(); // stops renewing, as a dead instance would
    const survivor = instance(400);
    expect(await survivor.admit({ tenant: t, estimatedTokens: 0 })).toMatchObject({ admitted: false, limit: "concurrency" });
    await new Promise((r) => setTimeout(r, 600));
    expect((await survivor.admit({ tenant: t, estimatedTokens: 0 })).admitted).toBe(true);
  });

  it("keeps renewing the slot of a long request so it is not taken from under it", async () => {
    const a = instance(300);
    const t = tenant("long", { max_concurrent: 1 });
    const held = await a.admit({ tenant: t, estimatedTokens: 0 });
    expect(held.admitted).toBe(true);
    await new Promise((r) => setTimeout(r, 900));
    expect((await instance(300).admit({ tenant: t, estimatedTokens: 0 })).admitted).toBe(false);
    if (held.admitted) await held.lease.release(undefined, 0);
    expect((await a.admit({ tenant: t, estimatedTokens: 0 })).admitted).toBe(true);
  });

  it("corrects a token reservation to the real usage on release", async () => {
    const a = instance(30_000);
    const t = tenant("tokens", { tokens_per_minute: 1_000 });
    const first = await a.admit({ tenant: t, estimatedTokens: 700 });
    expect(first.admitted && first.lease.state).toMatchObject({ remainingTokens: 300 });
    expect(await a.admit({ tenant: t, estimatedTokens: 700 })).toMatchObject({ admitted: false, limit: "tokens" });
    if (first.admitted) await first.lease.release(50, 0);
    const second = await a.admit({ tenant: t, estimatedTokens: 700 });
    expect(second.admitted && second.lease.state).toMatchObject({ remainingTokens: 250 });
  });
});
