// Three gateway processes (the built dist/main.js) sharing one real redis-server: one tenant's
// requests-per-minute and concurrency limits hold exactly under a burst spread over all three.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, limitsConfigYaml, within } from "./limits-harness";
import { startRedis, type RedisServer } from "./redis-server";
import { spawnGateway, type GatewayProcess } from "./spawn-gateway";

const RPM_KEY = "sk-test-proc-rpm-0123456789";
const CONC_KEY = "sk-test-proc-conc-0123456789";
const extra = `  - id: proc-rpm
    keys: [${RPM_KEY}]
    limits: { requests_per_minute: 15, max_concurrent: 100 }
  - id: proc-conc
    keys: [${CONC_KEY}]
    limits: { max_concurrent: 3 }
`;

let redis: RedisServer;
let upstream: MockUpstream;
let dir: string;
const procs: GatewayProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), "runestone-procs-"));
  const configPath = join(dir, "runestone.yaml");
  writeFileSync(configPath, limitsConfigYaml(upstream.url, `{ redis_url: "${redis.url}", redis_prefix: "procs:" }`, extra));
  const env = { RUNESTONE_CONFIG: configPath, LOG_LEVEL: "warn" };
  procs.push(...(await Promise.all([spawnGateway(env, 60_000), spawnGateway(env, 60_000), spawnGateway(env, 60_000)])));
}, 90_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await upstream?.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const at = (i: number) => procs[i % procs.length]!.url;

describe("three gateway processes sharing Redis", () => {
  it("admit exactly the tenant's requests per minute from a concurrent burst spread over all three", async () => {
    // Tolerance: none either way. A sliding minute frees no capacity during the burst.
    const results = await Promise.all(Array.from({ length: 45 }, (_, i) => chat(at(i), RPM_KEY)));
    const statuses = results.map((r) => r.status);
    await Promise.all(results.map((r) => r.text()));
    expect(statuses.filter((s) => s === 200)).toHaveLength(15);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    // Which process admitted how many depends on who reached Redis first, so that split is not
    // asserted. What must hold: once the shared window is full, every process refuses.
    const after = await Promise.all([0, 1, 2].map((i) => chat(at(i), RPM_KEY)));
    await Promise.all(after.map((r) => r.text()));
    expect(after.map((r) => r.status)).toEqual([429, 429, 429]);
    // What reached the upstream matches what was admitted.
    expect(upstream.requests.filter((r) => (r.headers.authorization as string) === "Bearer sk-upstream").length).toBe(15);
  });

  it("hold exactly max_concurrent requests in flight across the three processes", async () => {
    upstream.reset();
    upstream.behave({ stall: "before-headers" }, { model: "stall-model" });
    const controllers = Array.from({ length: 18 }, () => new AbortController());
    let refused = 0;
    const pending = controllers.map((c, i) =>
      chat(at(i), CONC_KEY, { model: "slow" }, { signal: c.signal }).then(
        async (r) => {
          await r.text();
          if (r.status === 429) refused++;
          return r.status;
        },
        () => "aborted" as const,
      ),
    );
    // Tolerance: none. Admitted requests hang on the stalled upstream; refusals come back at once.
    expect(await within(20_000, async () => refused >= 15)).toBeDefined();
    await within(5_000, async () => upstream.requests.length >= 3);
    await new Promise((r) => setTimeout(r, 500));
    expect(refused).toBe(15);
    expect(upstream.requests).toHaveLength(3);
    for (const c of controllers) c.abort();
    const statuses = await Promise.all(pending);
    expect(statuses.filter((s) => s === "aborted")).toHaveLength(3);
  });
});
