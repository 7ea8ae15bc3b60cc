// Three gateway instances sharing one real redis-server: one tenant limit enforced once across all
// of them under a concurrent burst spread over the three, keys and revocations seen by every
// instance within a second, and one usage ledger.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, api, chat, limitsConfigYaml, startInstances, within, type Instances } from "./limits-harness";
import { startRedis, type RedisServer } from "./redis-server";

const RPM_KEY = "sk-test-shared-rpm-0123456789";
const CONC_KEY = "sk-test-shared-conc-0123456789";
const LEDGER_KEY = "sk-test-shared-ledger-0123456789";
const extra = `  - id: shared-rpm
    keys: [${RPM_KEY}]
    limits: { requests_per_minute: 20, max_concurrent: 100 }
  - id: shared-conc
    keys: [${CONC_KEY}]
    limits: { max_concurrent: 4 }
  - id: ledger
    keys: [${LEDGER_KEY}]
`;

let redis: RedisServer;
let gw: Instances;

beforeAll(async () => {
  redis = await startRedis();
  gw = await startInstances(3, (u) => limitsConfigYaml(u, `{ redis_url: "${redis.url}", redis_prefix: "rs-test:" }`, extra));
}, 30_000);

afterAll(async () => {
  await gw?.close();
  await redis?.stop();
});

const instance = (i: number) => gw.urls[i % gw.urls.length]!;

describe("one limit across three instances", () => {
  it("admits exactly the requests per minute of a concurrent burst spread over all three", async () => {
    // Tolerance: none either way. The window is a sliding minute, so no capacity frees during the burst.
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => chat(instance(i), RPM_KEY)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    // The count is shared, not per instance: once the window is full, every instance refuses. (How the
    // 20 admissions split between instances depends on who reached Redis first, so it is not asserted.)
    const after = await Promise.all([0, 1, 2].map((i) => chat(instance(i), RPM_KEY)));
    await Promise.all(after.map((r) => r.text()));
    expect(after.map((r) => r.status)).toEqual([429, 429, 429]);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.headers.get("x-ratelimit-limit-requests")).toBe("20");
    expect(refused.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    await Promise.all(results.map((r) => r.text()));
  });

  it("holds exactly max_concurrent requests in flight across the three, and frees the slots when they end", async () => {
    gw.upstream.behave({ stall: "before-headers" }, { model: "stall-model" });
    const controllers = Array.from({ length: 24 }, () => new AbortController());
    let refused = 0;
    const pending = controllers.map((c, i) =>
      chat(instance(i), CONC_KEY, { model: "slow" }, { signal: c.signal }).then(
        (r) => {
          if (r.status === 429) refused++;
          return r.status;
        },
        () => "aborted",
      ),
    );
    // Admitted requests hang on the stalled upstream; refusals return at once. Tolerance: none.
    expect(await within(15_000, async () => refused >= 20)).toBeDefined();
    await new Promise((r) => setTimeout(r, 500));
    expect(refused).toBe(20);
    for (const c of controllers) c.abort();
    const statuses = await Promise.all(pending);
    expect(statuses.filter((s) => s === "aborted")).toHaveLength(4);
    gw.upstream.reset();
    // The four slots come back on every instance.
    const freed = await within(5_000, async () => {
      const rs = await Promise.all([0, 1, 2, 0].map((i) => chat(instance(i), CONC_KEY)));
      await Promise.all(rs.map((r) => r.text()));
      return rs.every((r) => r.status === 200);
    });
    expect(freed).toBeDefined();
  });
});

describe("keys and limits across instances", () => {
  it("makes a key created on one instance usable on another, and its revocation refused there within a second", async () => {
    const created = await api(instance(0), ADMIN_KEY, "POST", "/v1/admin/keys", { tenant_id: "alpha" });
    expect(created.status).toBe(201);
    const { id, key } = (await created.json()) as { id: string; key: string };
    const accepted = await within(1_000, async () => (await chat(instance(1), key)).status === 200);
    expect(accepted).toBeDefined();
    const revoked = await api(instance(0), ADMIN_KEY, "DELETE", `/v1/admin/keys/${id}`);
    expect(revoked.status).toBe(200);
    const refusedAfter = await within(1_000, async () => (await chat(instance(1), key)).status === 401, 10);
    expect(refusedAfter).toBeDefined();
    expect(refusedAfter!).toBeLessThanOrEqual(1_000);
    expect((await chat(instance(2), key)).status).toBe(401);
  });

  it("applies limits set through one instance on the others", async () => {
    const put = await api(instance(2), ADMIN_KEY, "PUT", "/v1/admin/tenants/beta/limits", { requests_per_minute: 300 });
    expect(put.status).toBe(200);
    const seen = await within(1_000, async () => {
      const r = await chat(instance(0), "sk-test-beta-0123456789");
      await r.text();
      return r.headers.get("x-ratelimit-limit-requests") === "300";
    });
    expect(seen).toBeDefined();
  });
});

describe("the usage ledger across instances", () => {
  it("adds up usage recorded by every instance, and still keeps tenants apart", async () => {
    for (let i = 0; i < 6; i++) await (await chat(instance(i), LEDGER_KEY)).text();
    let rows: Array<{ tenant_id?: string; requests: number }> = [];
    const summed = await within(5_000, async () => {
      const res = await api(instance(2), ADMIN_KEY, "GET", "/v1/usage?group_by=tenant&tenant_id=ledger");
      rows = ((await res.json()) as { data: typeof rows }).data;
      return (rows[0]?.requests ?? 0) >= 6;
    });
    expect(summed).toBeDefined();
    expect(rows).toEqual([expect.objectContaining({ tenant_id: "ledger", requests: 6, prompt_tokens: 30, completion_tokens: 18 })]);
    const beta = await api(instance(1), "sk-test-beta-0123456789", "GET", "/v1/usage?group_by=tenant");
    const betaRows = ((await beta.json()) as { data: Array<{ tenant_id: string }> }).data;
    expect(betaRows.every((r) => r.tenant_id === "beta")).toBe(true);
  });

  it("reports the state backend on /health", async () => {
    const res = await fetch(`${instance(0)}/health`);
    const body = (await res.json()) as { components: { state: { status: string; message: string } } };
    expect(body.components.state).toMatchObject({ status: "healthy", message: expect.stringContaining("redis") });
  });
});
