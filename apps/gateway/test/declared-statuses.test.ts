// Every status the gateway returns is declared in the contract. One gateway gets a broad mix of traffic through
// every operation, successes and each kind of failure (400, 401, 403, 404, 405, 409, 413, 415, 429, 202, 502,
// 503, 504), each call asserting the status it expects; then every (method, route, status) seen must be declared
// for its operation in the bundled spec, and every 429, 503 and 529 must carry Retry-After.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, tempSqlitePath } from "./harness";
import { freePort } from "./redis-server";
import { statusRecorder, undeclared } from "./status-recorder";

const ADMIN = "sk-admin-statuses-0123456789";
const OPEN = "sk-test-open-0123456789";
const NARROW = "sk-test-narrow-0123456789";
const BUSY = "sk-test-busy-0123456789";

function configYaml(upstreamUrl: string, deadPort: number): string {
  const timeouts = "timeouts: { connect_ms: 1000, first_byte_ms: 400, idle_ms: 2000, total_ms: 5000 }";
  return `
server: { host: 127.0.0.1, port: 0, body_limit: 64kb, shutdown_grace_ms: 1000, request_timeout_ms: 10000 }
admin: { key: ${ADMIN} }
state: { sqlite_path: ${tempSqlitePath()} }
queue: { max_per_tenant: 5, max_wait_ms: 60000, result_ttl_ms: 60000 }
resilience:
  retries: { max_retries: 0, backoff_base_ms: 10, backoff_max_ms: 50, max_retry_after_ms: 100 }
  breaker: { consecutive_failures: 2, minimum_requests: 50, failure_rate: 0.9, window_ms: 60000, open_ms: 30000 }
providers:
  openai: { type: openai, base_url: "${upstreamUrl}/v1", api_key: sk-upstream-statuses, ${timeouts} }
  dead: { type: openai, base_url: "http://127.0.0.1:${deadPort}/v1", api_key: sk-dead-statuses, ${timeouts} }
models:
  gpt-4o-mini: { capabilities: [chat, streaming, function_calling], deployments: [{ provider: openai, model: gpt-4o-mini }] }
  other: { deployments: [{ provider: openai, model: other }] }
  overloaded: { deployments: [{ provider: openai, model: "gpt-4o-mini::status=503" }] }
  stalls: { deployments: [{ provider: openai, model: "gpt-4o-mini::stall=before-headers" }] }
  unreachable: { deployments: [{ provider: dead, model: gone }] }
  unreachable-too: { deployments: [{ provider: dead, model: gone-too }] }
  text-embedding-3-small: { capabilities: [embeddings], deployments: [{ provider: openai, model: text-embedding-3-small }] }
tenants:
  - { id: open, keys: [${OPEN}] }
  - { id: narrow, keys: [${NARROW}], allowed_models: [gpt-4o-mini] }
  - { id: busy, keys: [${BUSY}], limits: { requests_per_minute: 1 } }
`;
}

let upstream: MockUpstream;
let gateway: RunningGateway;
let rec: ReturnType<typeof statusRecorder>;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const { config } = parseConfig(configYaml(upstream.url, await freePort()), {});
  gateway = await startGateway({ config, logger: createLogger("silent", new LogCapture()), validateResponses: true });
  rec = statusRecorder(gateway.url);
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

type Init = { key?: string; body?: unknown; type?: string; headers?: Record<string, string> };

/** Sends one request and checks its status; answers the response for further checks. */
async function expectStatus(status: number, method: string, path: string, init: Init = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers["content-type"] = init.type ?? "application/json";
  const body = init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  const res = await rec.fetch(path, { method, headers, body });
  const text = await res.clone().text();
  expect(res.status, `${method} ${path}: ${text.slice(0, 300)}`).toBe(status);
  return res;
}

const hi = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: "user", content: "hi" }], ...extra });
const huge = { model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(100_000) }] };
const anthropicHi = (model: string) => ({ model, max_tokens: 50, messages: [{ role: "user", content: "hi" }] });

describe("the statuses the gateway returns", () => {
  it("answers chat completions with every documented status", async () => {
    const p = "/v1/chat/completions";
    await expectStatus(200, "POST", p, { key: OPEN, body: hi("gpt-4o-mini") });
    await expectStatus(200, "POST", p, { key: OPEN, body: hi("gpt-4o-mini", { stream: true }) });
    await expectStatus(400, "POST", p, { key: OPEN, body: { model: "gpt-4o-mini" } });
    await expectStatus(400, "POST", p, { key: OPEN, body: "{not json" });
    await expectStatus(400, "POST", p, { key: OPEN, body: hi("gpt-4o-mini", { provider: "dead" }) });
    await expectStatus(401, "POST", p, { body: hi("gpt-4o-mini") });
    await expectStatus(401, "POST", p, { key: "sk-not-a-key-0123456789", body: hi("gpt-4o-mini") });
    await expectStatus(403, "POST", p, { key: ADMIN, body: hi("gpt-4o-mini") });
    await expectStatus(403, "POST", p, { key: NARROW, body: hi("other") });
    await expectStatus(404, "POST", p, { key: OPEN, body: hi("no-such-model") });
    await expectStatus(405, "GET", p, { key: OPEN });
    await expectStatus(413, "POST", p, { key: OPEN, body: huge });
    await expectStatus(415, "POST", p, { key: OPEN, body: "hello", type: "text/plain" });
    await expectStatus(502, "POST", p, { key: OPEN, body: hi("unreachable") });
    await expectStatus(504, "POST", p, { key: OPEN, body: hi("stalls") });
    // The upstream says it is overloaded twice (no Retry-After of its own); then the breaker is open.
    await expectStatus(503, "POST", p, { key: OPEN, body: hi("overloaded") });
    await expectStatus(503, "POST", p, { key: OPEN, body: hi("overloaded") });
    const open = await expectStatus(503, "POST", p, { key: OPEN, body: hi("overloaded") });
    expect(((await open.json()) as { error: { code: string } }).error.code).toBe("provider_unavailable");
    expect(Number(open.headers.get("retry-after"))).toBeGreaterThan(1);
  });

  it("answers the streaming endpoint with every documented status", async () => {
    const p = "/v1/chat/stream";
    await expectStatus(200, "POST", p, { key: OPEN, body: hi("gpt-4o-mini") });
    await expectStatus(400, "POST", p, { key: OPEN, body: { messages: "nope" } });
    await expectStatus(401, "POST", p, { body: hi("gpt-4o-mini") });
    await expectStatus(403, "POST", p, { key: NARROW, body: hi("other") });
    await expectStatus(404, "POST", p, { key: OPEN, body: hi("no-such-model") });
    await expectStatus(405, "PUT", p, { key: OPEN, body: hi("gpt-4o-mini") });
    await expectStatus(413, "POST", p, { key: OPEN, body: huge });
    await expectStatus(415, "POST", p, { key: OPEN, body: "hello", type: "text/plain" });
    await expectStatus(502, "POST", p, { key: OPEN, body: hi("unreachable") });
    await expectStatus(503, "POST", p, { key: OPEN, body: hi("overloaded") });
  });

  it("limits, queues, and serves the queued job", async () => {
    await expectStatus(200, "POST", "/v1/chat/completions", { key: BUSY, body: hi("gpt-4o-mini") });
    await expectStatus(429, "POST", "/v1/chat/completions", { key: BUSY, body: hi("gpt-4o-mini") });
    await expectStatus(429, "POST", "/v1/chat/stream", { key: BUSY, body: hi("gpt-4o-mini") });
    await expectStatus(429, "POST", "/v1/messages", { key: BUSY, body: anthropicHi("gpt-4o-mini") });
    await expectStatus(429, "POST", "/v1/embeddings", { key: BUSY, body: { model: "text-embedding-3-small", input: "hi" } });
    const queued = await expectStatus(202, "POST", "/v1/chat/completions", { key: BUSY, body: hi("gpt-4o-mini"), headers: { "x-runestone-overflow": "queue" } });
    const job = ((await queued.json()) as { job_id: string }).job_id;
    const p = `/v1/jobs/${job}`;
    await expectStatus(200, "GET", p, { key: BUSY });
    await expectStatus(400, "GET", `${p}?verbose=1`, { key: BUSY });
    await expectStatus(401, "GET", p);
    await expectStatus(403, "GET", p, { key: ADMIN });
    await expectStatus(404, "GET", p, { key: OPEN });
    await expectStatus(405, "PUT", p, { key: BUSY });
    await expectStatus(200, "DELETE", p, { key: BUSY });
    await expectStatus(409, "DELETE", p, { key: BUSY });
    await expectStatus(404, "DELETE", "/v1/jobs/job_nope", { key: BUSY });
  });

  it("answers Messages and embeddings with every documented status", async () => {
    const m = "/v1/messages";
    await expectStatus(200, "POST", m, { key: OPEN, body: anthropicHi("gpt-4o-mini") });
    await expectStatus(400, "POST", m, { key: OPEN, body: { model: "gpt-4o-mini", messages: [] } });
    await expectStatus(401, "POST", m, { body: anthropicHi("gpt-4o-mini") });
    await expectStatus(403, "POST", m, { key: NARROW, body: anthropicHi("other") });
    await expectStatus(404, "POST", m, { key: OPEN, body: anthropicHi("no-such-model") });
    await expectStatus(405, "GET", m, { key: OPEN });
    await expectStatus(413, "POST", m, { key: OPEN, body: { ...anthropicHi("gpt-4o-mini"), system: "x".repeat(100_000) } });
    await expectStatus(415, "POST", m, { key: OPEN, body: "hello", type: "text/plain" });
    await expectStatus(502, "POST", m, { key: OPEN, body: anthropicHi("unreachable-too") });
    // Anthropic's status for an overloaded upstream (chat routes answer it 503).
    await expectStatus(529, "POST", m, { key: OPEN, body: anthropicHi("overloaded") });
    const count = "/v1/messages/count_tokens";
    const countHi = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });
    await expectStatus(200, "POST", count, { key: OPEN, body: countHi("gpt-4o-mini") });
    await expectStatus(400, "POST", count, { key: OPEN, body: { model: "gpt-4o-mini", messages: [] } });
    await expectStatus(401, "POST", count, { body: countHi("gpt-4o-mini") });
    await expectStatus(403, "POST", count, { key: NARROW, body: countHi("other") });
    await expectStatus(404, "POST", count, { key: OPEN, body: countHi("no-such-model") });
    await expectStatus(405, "GET", count, { key: OPEN });
    const e = "/v1/embeddings";
    await expectStatus(200, "POST", e, { key: OPEN, body: { model: "text-embedding-3-small", input: "hi" } });
    await expectStatus(400, "POST", e, { key: OPEN, body: { model: "text-embedding-3-small" } });
    await expectStatus(401, "POST", e, { body: { model: "text-embedding-3-small", input: "hi" } });
    await expectStatus(403, "POST", e, { key: NARROW, body: { model: "text-embedding-3-small", input: "hi" } });
    await expectStatus(404, "POST", e, { key: OPEN, body: { model: "no-such-model", input: "hi" } });
    await expectStatus(405, "GET", e, { key: OPEN });
    await expectStatus(413, "POST", e, { key: OPEN, body: { model: "text-embedding-3-small", input: "x".repeat(100_000) } });
    await expectStatus(415, "POST", e, { key: OPEN, body: "hello", type: "text/plain" });
  });

  it("answers models, usage and the probes with every documented status", async () => {
    await expectStatus(200, "GET", "/v1/models", { key: OPEN });
    await expectStatus(400, "GET", "/v1/models?limit=0", { key: OPEN }); // Anthropic's page size is 1 to 1000
    await expectStatus(401, "GET", "/v1/models");
    await expectStatus(403, "GET", "/v1/models", { key: ADMIN });
    await expectStatus(405, "POST", "/v1/models", { key: OPEN, body: {} });
    await expectStatus(200, "GET", "/v1/models/gpt-4o-mini", { key: NARROW });
    await expectStatus(400, "GET", "/v1/models/gpt-4o-mini?x=1", { key: OPEN });
    await expectStatus(401, "GET", "/v1/models/gpt-4o-mini");
    await expectStatus(403, "GET", "/v1/models/other", { key: NARROW });
    await expectStatus(404, "GET", "/v1/models/no-such-model", { key: OPEN });
    await expectStatus(405, "DELETE", "/v1/models/gpt-4o-mini", { key: OPEN });
    await expectStatus(200, "GET", "/v1/usage?group_by=day,model", { key: OPEN });
    await expectStatus(400, "GET", "/v1/usage?group_by=colour", { key: OPEN });
    await expectStatus(401, "GET", "/v1/usage");
    await expectStatus(403, "GET", "/v1/usage?tenant_id=busy", { key: OPEN });
    await expectStatus(405, "POST", "/v1/usage", { key: OPEN, body: {} });
    for (const probe of ["/health", "/health/live", "/health/ready", "/metrics"]) {
      await expectStatus(200, "GET", probe);
      await expectStatus(405, "POST", probe, { body: {} });
    }
  });

  it("answers the admin API with every documented status", async () => {
    const keys = "/v1/admin/keys";
    const created = await expectStatus(201, "POST", keys, { key: ADMIN, body: { tenant_id: "open", name: "statuses" } });
    const id = ((await created.json()) as { id: string }).id;
    await expectStatus(400, "POST", keys, { key: ADMIN, body: { name: "no tenant" } });
    await expectStatus(401, "POST", keys, { body: { tenant_id: "open" } });
    await expectStatus(403, "POST", keys, { key: OPEN, body: { tenant_id: "open" } });
    await expectStatus(404, "POST", keys, { key: ADMIN, body: { tenant_id: "no-such-tenant" } });
    await expectStatus(413, "POST", keys, { key: ADMIN, body: { tenant_id: "open", name: "x".repeat(100_000) } });
    await expectStatus(415, "POST", keys, { key: ADMIN, body: "tenant_id=open", type: "application/x-www-form-urlencoded" });
    await expectStatus(405, "PUT", keys, { key: ADMIN, body: {} });
    await expectStatus(200, "GET", keys, { key: ADMIN });
    await expectStatus(400, "GET", `${keys}?page=2`, { key: ADMIN });
    await expectStatus(401, "GET", keys);
    await expectStatus(403, "GET", keys, { key: OPEN });
    await expectStatus(400, "DELETE", `${keys}/${id}?force=1`, { key: ADMIN });
    await expectStatus(401, "DELETE", `${keys}/${id}`);
    await expectStatus(403, "DELETE", `${keys}/${id}`, { key: OPEN });
    await expectStatus(405, "GET", `${keys}/${id}`, { key: ADMIN });
    await expectStatus(200, "DELETE", `${keys}/${id}`, { key: ADMIN });
    await expectStatus(404, "DELETE", `${keys}/key_nope`, { key: ADMIN });
    const limits = "/v1/admin/tenants/open/limits";
    await expectStatus(200, "GET", limits, { key: ADMIN });
    await expectStatus(400, "GET", `${limits}?x=1`, { key: ADMIN });
    await expectStatus(401, "GET", limits);
    await expectStatus(403, "GET", limits, { key: OPEN });
    await expectStatus(404, "GET", "/v1/admin/tenants/no-such-tenant/limits", { key: ADMIN });
    await expectStatus(200, "PUT", limits, { key: ADMIN, body: { requests_per_minute: 600 } });
    await expectStatus(400, "PUT", limits, { key: ADMIN, body: { requests_per_minute: 0 } });
    await expectStatus(404, "PUT", "/v1/admin/tenants/no-such-tenant/limits", { key: ADMIN, body: { requests_per_minute: 600 } });
    await expectStatus(413, "PUT", limits, { key: ADMIN, body: { requests_per_minute: 600, pad: "x".repeat(100_000) } });
    await expectStatus(415, "PUT", limits, { key: ADMIN, body: "requests_per_minute=600", type: "text/plain" });
    await expectStatus(405, "POST", limits, { key: ADMIN, body: {} });
  });

  it("declares every (operation, status) seen above in the spec, and sends Retry-After with every 429, 503 and 529", () => {
    const statuses = new Set(rec.seen.map((s) => s.status));
    for (const s of [200, 201, 202, 400, 401, 403, 404, 405, 409, 413, 415, 429, 502, 503, 504]) expect(statuses, `status ${s} seen`).toContain(s);
    expect(undeclared(rec.seen)).toEqual([]);
    const withoutRetryAfter = rec.seen.filter((s) => (s.status === 429 || s.status === 503 || s.status === 529) && !/^\d+$/.test(s.headers.get("retry-after") ?? ""));
    expect(withoutRetryAfter.map((s) => `${s.method} ${s.path} -> ${s.status}`)).toEqual([]);
  });
});
