// A client that hangs up while its request waits on the state backend (admission in Redis mode) gets
// its slot back at once, and its request never reaches a provider.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, KEYS, limitsConfigYaml, startInstances, within, type Instances } from "./limits-harness";
import { startRedis, type RedisServer } from "./redis-server";

let redis: RedisServer;
let gw: Instances;

beforeAll(async () => {
  redis = await startRedis();
  gw = await startInstances(1, (u) => limitsConfigYaml(u, `{ redis_url: "${redis.url}", redis_prefix: "hangup:", lease_ttl_ms: 60000 }`));
}, 30_000);

afterAll(async () => {
  redis?.resume();
  await gw?.close();
  await redis?.stop();
});

describe("a hang-up during admission", () => {
  it("releases the tenant's slots and sends nothing upstream", async () => {
    const url = gw.urls[0]!;
    const body = { messages: [{ role: "user", content: "hung up during admission" }] };
    // The conc tenant has 2 slots. Both requests hang up while Redis cannot answer their admission.
    redis.pause();
    const controllers = [new AbortController(), new AbortController()];
    const pending = controllers.map((c) => chat(url, KEYS.conc, body, { signal: c.signal }).catch(() => "aborted"));
    await new Promise((r) => setTimeout(r, 300));
    for (const c of controllers) c.abort();
    expect(await Promise.all(pending)).toEqual(["aborted", "aborted"]);
    await new Promise((r) => setTimeout(r, 100));
    redis.resume();

    // Both slots come back: two requests at once both get in (a leaked lease, renewed forever, would
    // refuse one or both for as long as the gateway runs).
    const bothIn = await within(5_000, async () => {
      const after = await Promise.all([chat(url, KEYS.conc), chat(url, KEYS.conc)]);
      await Promise.all(after.map((r) => r.text()));
      return after.every((r) => r.status === 200);
    }, 200);
    expect(bothIn, "both slots free again").toBeDefined();
    expect(gw.upstream.requests.filter((r) => r.rawBody.includes("hung up during admission"))).toHaveLength(0);
  });
});
