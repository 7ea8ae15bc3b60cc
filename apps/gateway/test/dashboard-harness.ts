// Shared by the dashboard tests: a gateway with two tenants calling two models (one through a deployment
// that always fails, so it falls back and its breaker opens), a model that only fails, and a tenant whose
// one slot is held so that its next request is queued.
import { expect } from "vitest";
import { tempSqlitePath, UPSTREAM_KEY } from "./harness";
import { chat, holdSlot, say } from "./jobs-harness";
import type { MockUpstream } from "@runestone/mock-upstream";

export const ADMIN_KEY = "sk-dashboard-admin-key-0123456789abcdef";
export const ACME_KEY = "sk-test-acme-0123456789";
export const GLOBEX_KEY = "sk-test-globex-0123456789";
export const QUEUE_KEY = "sk-test-initech-queue-0123456789";

export function dashboardConfigYaml(upstreamUrl: string, extra = ""): string {
  return `
state: { sqlite_path: ${tempSqlitePath()} }
server: { host: 127.0.0.1, port: 0, shutdown_grace_ms: 2000 }
logging: { level: warn }
admin: { key: ${ADMIN_KEY} }
queue: { max_per_tenant: 3, max_wait_ms: 30000, result_ttl_ms: 60000 }
resilience:
  retries: { max_retries: 1, backoff_base_ms: 5, backoff_max_ms: 10 }
  breaker: { consecutive_failures: 2, open_ms: 60000 }
providers:
  mock: { type: mock }
  openai:
    type: openai
    base_url: ${upstreamUrl}/v1
    api_key: ${UPSTREAM_KEY}
    timeouts: { connect_ms: 1000, first_byte_ms: 10000, idle_ms: 10000, total_ms: 20000 }
  backup:
    type: openai-compatible
    base_url: ${upstreamUrl}/v1
    api_key: sk-backup-upstream
models:
  gpt-4o-mini:
    pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }
    deployments: [{ provider: openai, model: gpt-4o-mini }]
  mock-echo:
    deployments: [{ provider: mock }]
  flaky:
    pricing: { input_per_1m: 1, output_per_1m: 2 }
    deployments: [{ provider: openai, model: "broken-model::status=500" }, { provider: backup, model: gpt-4o-mini }]
  stalls:
    deployments: [{ provider: openai, model: "gpt-4o-mini::stall=before-headers" }]
tenants:
  - id: acme
    keys: [${ACME_KEY}]
    limits: { budget: { amount_usd: 5, period: day } }
  - id: globex
    keys: [${GLOBEX_KEY}]
  - id: initech
    keys: [${QUEUE_KEY}]
    limits: { max_concurrent: 1 }
    overflow: queue
${extra}`;
}

async function ok(res: Promise<Response>, status = 200): Promise<void> {
  const r = await res;
  const body = await r.text();
  expect(r.status, body).toBe(status);
}

export interface Traffic {
  jobId: string;
  /** Lets the queued job run (hangs up the request holding the tenant's slot). */
  release(): void;
}

/**
 * acme: 3 gpt-4o-mini (one streamed); globex: 2 mock-echo, 2 flaky (each falls back from the broken
 * deployment), 1 unknown model (404); initech: its slot held, then one request queued (202).
 */
export async function sendTraffic(base: string, upstream: MockUpstream): Promise<Traffic> {
  for (let i = 0; i < 2; i++) await ok(chat(base, ACME_KEY, say("gpt-4o-mini", `hello ${i}`)));
  const stream = await chat(base, ACME_KEY, say("gpt-4o-mini", "stream please", { stream: true }));
  expect(stream.status).toBe(200);
  expect(await stream.text()).toContain("[DONE]");
  for (let i = 0; i < 2; i++) await ok(chat(base, GLOBEX_KEY, say("mock-echo", `echo ${i}`)));
  for (let i = 0; i < 2; i++) await ok(chat(base, GLOBEX_KEY, say("flaky", `flaky ${i}`)));
  await ok(chat(base, GLOBEX_KEY, say("no-such-model", "where")), 404);
  const held = await holdSlot(upstream, base, QUEUE_KEY, "dashboard-hold");
  const queued = await chat(base, QUEUE_KEY, say("gpt-4o-mini", "queued work"));
  const body = (await queued.json()) as { job_id: string };
  expect(queued.status, JSON.stringify(body)).toBe(202);
  return { jobId: body.job_id, release: () => held.release() };
}
