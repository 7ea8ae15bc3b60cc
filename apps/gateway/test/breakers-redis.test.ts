// Redis mode: a deployment's breaker that opens on one instance opens on the others too, so every
// instance spares the failing deployment at once instead of each paying its own failures first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInstances, within, type Instances } from "./limits-harness";
import { startRedis, type RedisServer } from "./redis-server";
import { upstreamRequestsFor } from "./harness";

const KEY = "sk-test-breakers-0123456789";
const OPEN_MS = 30_000;
let redis: RedisServer;
let gw: Instances;

const yaml = (upstreamUrl: string) => `
server: { host: 127.0.0.1, port: 0, shutdown_grace_ms: 1000 }
state: { redis_url: "${redis.url}", redis_prefix: "brk-test:" }
resilience:
  retries: { max_retries: 0 }
  breaker: { consecutive_failures: 3, minimum_requests: 1000, open_ms: ${OPEN_MS} }
providers:
  primary: { type: openai, base_url: "${upstreamUrl}/v1", api_key: sk-brk-primary-abcdef }
  backup: { type: openai-compatible, base_url: "${upstreamUrl}/v1", api_key: sk-brk-backup-abcdef }
models:
  flaky: { deployments: [{ provider: primary, model: flaky-p }, { provider: backup, model: flaky-b }] }
tenants:
  - { id: brk, keys: [${KEY}] }
`;

beforeAll(async () => {
  redis = await startRedis();
  gw = await startInstances(2, yaml);
}, 30_000);

afterAll(async () => {
  await gw?.close();
  await redis?.stop();
});

const ask = async (url: string) => {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model: "flaky", messages: [{ role: "user", content: "hello" }] }),
  });
  await res.text();
  return { status: res.status, provider: res.headers.get("x-runestone-provider") };
};

const breakerOf = async (url: string) => {
  const health = (await (await fetch(`${url}/health`)).json()) as { components: { providers: { details: Record<string, { breakers?: Record<string, { state: string; retry_in_ms?: number }> }> } } };
  return health.components.providers.details.primary?.breakers?.["flaky-p"];
};

describe("circuit breakers across instances sharing Redis", () => {
  it("open on every instance when one instance's breaker opens, for as long, so the others never call the failing deployment", async () => {
    const [a, b] = gw.urls as [string, string];
    gw.upstream.behave({ status: 500 }, { model: "flaky-p" });
    expect(await breakerOf(b)).toMatchObject({ state: "closed" });

    // Three failures on instance A open its breaker (every answer still comes from the backup).
    for (let i = 0; i < 3; i++) expect(await ask(a)).toEqual({ status: 200, provider: "backup" });
    expect(await breakerOf(a)).toMatchObject({ state: "open" });
    expect(upstreamRequestsFor(gw.upstream, "flaky-p")).toHaveLength(3);

    // Instance B hears of it without a failure of its own.
    const opened = await within(2_000, async () => (await breakerOf(b))?.state === "open");
    expect(opened, "instance B's breaker opened").toBeDefined();
    const bBreaker = await breakerOf(b);
    expect(bBreaker!.retry_in_ms).toBeGreaterThan(OPEN_MS - 5_000);
    expect(bBreaker!.retry_in_ms).toBeLessThanOrEqual(OPEN_MS);
    for (let i = 0; i < 3; i++) expect(await ask(b)).toEqual({ status: 200, provider: "backup" });
    expect(upstreamRequestsFor(gw.upstream, "flaky-p"), "instance B never called the failing deployment").toHaveLength(3);
    gw.upstream.reset();
  });
});
