// Under load with a flaky primary: 200 concurrent requests while 30 % of the primary's calls fail
// (a deterministic pattern of 500s and stalls). Every request must still succeed through fallback,
// the primary's breaker must open, and no request may outlive its deadline.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import type { GatewayEvents } from "../src/core/gateway-events";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, postJson, readSse, tempSqlitePath } from "./harness";

// Generous, because other test runs share this 2-core machine; the deadline is enforced either way.
const DEADLINE_MS = 20_000;
const CONCURRENCY = 200;

let upstream: MockUpstream;
let gateway: RunningGateway;
const breakerChanges: Array<{ model: string; state: string }> = [];
let fallbacks = 0;

beforeAll(async () => {
  upstream = await startMockUpstream();
  // The primary's stalls time out after a second; the backup gets room for a busy machine.
  const fast = "timeouts: { connect_ms: 1000, first_byte_ms: 1000, idle_ms: 1000, total_ms: 10000 }";
  const patient = "timeouts: { connect_ms: 5000, first_byte_ms: 15000, idle_ms: 15000, total_ms: 18000 }";
  const { config } = parseConfig(
    `
server: { host: 127.0.0.1, port: 0, request_timeout_ms: ${DEADLINE_MS} }
state: { sqlite_path: ${tempSqlitePath()} }
limits: { max_concurrent_per_tenant: 1000 }
resilience:
  retries: { max_retries: 1, backoff_base_ms: 50, backoff_max_ms: 200 }
  breaker: { window_ms: 60000, minimum_requests: 20, failure_rate: 0.25, consecutive_failures: 1000, open_ms: 60000 }
providers:
  primary: { type: openai, base_url: "${upstream.url}/v1", api_key: sk-primary-upstream, ${fast} }
  backup: { type: openai-compatible, base_url: "${upstream.url}/v1", api_key: sk-backup-upstream, ${patient} }
models:
  duo: { deployments: [{ provider: primary, model: load-primary }, { provider: backup, model: load-backup }] }
tenants:
  - { id: tenant-a, keys: [sk-test-tenant-a-0123456789], limits: { max_concurrent: 1000 } }
`,
    {},
  );
  const events: GatewayEvents = {
    breakerStateChanged: (e) => breakerChanges.push(e),
    fallback: () => void fallbacks++,
  };
  gateway = await startGateway({ config, logger: createLogger("silent", new LogCapture()), events });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

/** Of every 10 calls to the primary: two 500s, one that never answers, seven good ones. */
function flakyPrimary(cycles: number): void {
  for (let i = 0; i < cycles; i++) {
    upstream.behave({ status: 500, latencyMs: 10 }, { times: 2, model: "load-primary" });
    upstream.behave({ stall: "before-headers" }, { times: 1, model: "load-primary" });
    upstream.behave({ latencyMs: 10 }, { times: 7, model: "load-primary" });
  }
}

describe("200 concurrent requests with 30% of the primary's calls failing", () => {
  it("all succeed through fallback, the breaker opens, and none outlives its deadline", async () => {
    flakyPrimary(CONCURRENCY / 10 + 10);
    const results = await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, i) => {
        const t0 = performance.now();
        const stream = i % 4 === 0;
        const res = await postJson(`${gateway.url}/v1/chat/completions`, { model: "duo", stream, messages: [{ role: "user", content: `request ${i}` }] });
        if (res.status !== 200) return { status: res.status, provider: null, text: await res.text(), ms: performance.now() - t0, i, stream };
        const text = stream ? (await readSse(res)).at(-1) : ((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
        return { status: res.status, provider: res.headers.get("x-runestone-provider"), text, ms: performance.now() - t0, i, stream };
      }),
    );

    const failed = results.filter((r) => r.status !== 200);
    expect(failed).toEqual([]);
    for (const r of results) expect(r.text).toBe(r.stream ? "[DONE]" : `echo: request ${r.i}`);

    const primaryCalls = upstream.requests.filter((r) => (r.body as { model?: string }).model === "load-primary");
    const primaryFailures = Math.floor(primaryCalls.length / 10) * 3 + Math.max(0, Math.min(3, primaryCalls.length % 10));
    const servedByBackup = results.filter((r) => r.provider === "backup").length;
    expect(servedByBackup).toBeGreaterThanOrEqual(primaryFailures);
    expect(fallbacks).toBeGreaterThanOrEqual(primaryFailures);
    expect(breakerChanges).toContainEqual({ provider: "primary", model: "load-primary", state: "open" });

    const slowest = Math.max(...results.map((r) => r.ms));
    expect(slowest).toBeLessThan(DEADLINE_MS);
  }, 60_000);

  it("skips the primary entirely while its breaker is open", async () => {
    const before = upstream.requests.filter((r) => (r.body as { model?: string }).model === "load-primary").length;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => postJson(`${gateway.url}/v1/chat/completions`, { model: "duo", messages: [{ role: "user", content: "again" }] })),
    );
    const bad = results.filter((r) => r.status !== 200);
    expect(results.map((r) => r.headers.get("x-runestone-provider"))).toEqual(Array(50).fill("backup"));
    expect(upstream.requests.filter((r) => (r.body as { model?: string }).model === "load-primary").length).toBe(before);
  });
});
