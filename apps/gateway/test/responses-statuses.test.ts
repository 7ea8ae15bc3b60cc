// Every status POST /v1/responses returns is declared for it in the contract: one gateway gets each kind of
// answer (200 JSON and stream, 400, 401, 403, 404, 405, 413, 415, 429, 502, 503, 504), each call asserting the
// status it expects; then every status seen must be declared, and every 429 and 503 must carry Retry-After.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, tempSqlitePath } from "./harness";
import { freePort } from "./redis-server";
import { statusRecorder, undeclared } from "./status-recorder";

const ADMIN = "sk-admin-responses-statuses-0123";
const OPEN = "sk-test-responses-open-012345";
const NARROW = "sk-test-responses-narrow-0123";
const BUSY = "sk-test-responses-busy-01234";

function configYaml(upstreamUrl: string, deadPort: number): string {
  const timeouts = "timeouts: { connect_ms: 1000, first_byte_ms: 400, idle_ms: 2000, total_ms: 5000 }";
  return `
server: { host: 127.0.0.1, port: 0, body_limit: 64kb, shutdown_grace_ms: 1000, request_timeout_ms: 10000 }
admin: { key: ${ADMIN} }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 0, backoff_base_ms: 10, backoff_max_ms: 50, max_retry_after_ms: 100 }
  breaker: { consecutive_failures: 2, minimum_requests: 50, failure_rate: 0.9, window_ms: 60000, open_ms: 30000 }
providers:
  mock: { type: mock }
  openai: { type: openai, base_url: "${upstreamUrl}/v1", api_key: sk-upstream-statuses, ${timeouts} }
  dead: { type: openai, base_url: "http://127.0.0.1:${deadPort}/v1", api_key: sk-dead-statuses, ${timeouts} }
models:
  gpt-4o-mini: { capabilities: [chat, streaming, function_calling], deployments: [{ provider: openai, model: gpt-4o-mini }] }
  mock-echo: { capabilities: [chat, streaming, function_calling], deployments: [{ provider: mock }] }
  other: { deployments: [{ provider: openai, model: other }] }
  overloaded: { deployments: [{ provider: openai, model: "gpt-4o-mini::status=503" }] }
  stalls: { deployments: [{ provider: openai, model: "gpt-4o-mini::stall=before-headers" }] }
  unreachable: { deployments: [{ provider: dead, model: gone }] }
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

type Init = { key?: string; body?: unknown; type?: string };

async function expectStatus(status: number, method: string, init: Init = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers["content-type"] = init.type ?? "application/json";
  const body = init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  const res = await rec.fetch("/v1/responses", { method, headers, body });
  const text = await res.clone().text();
  expect(res.status, `${method} /v1/responses: ${text.slice(0, 300)}`).toBe(status);
  return res;
}

const hi = (model: string, extra: Record<string, unknown> = {}) => ({ model, input: "hi", ...extra });

describe("the statuses of POST /v1/responses", () => {
  it("answers every documented status, each declared in the spec", async () => {
    await expectStatus(200, "POST", { key: OPEN, body: hi("gpt-4o-mini") });
    await expectStatus(200, "POST", { key: OPEN, body: hi("gpt-4o-mini", { stream: true }) });
    await expectStatus(200, "POST", { key: OPEN, body: hi("mock-echo") });
    await expectStatus(200, "POST", { key: OPEN, body: hi("mock-echo", { stream: true }) });
    await expectStatus(400, "POST", { key: OPEN, body: { model: "gpt-4o-mini" } });
    await expectStatus(400, "POST", { key: OPEN, body: "{not json" });
    await expectStatus(400, "POST", { key: OPEN, body: hi("mock-echo", { tools: [{ type: "web_search" }] }) });
    await expectStatus(401, "POST", { body: hi("gpt-4o-mini") });
    await expectStatus(403, "POST", { key: NARROW, body: hi("other") });
    await expectStatus(404, "POST", { key: OPEN, body: hi("no-such-model") });
    await expectStatus(404, "POST", { key: OPEN, body: hi("gpt-4o-mini", { previous_response_id: "resp_nope" }) });
    await expectStatus(405, "GET", { key: OPEN });
    await expectStatus(413, "POST", { key: OPEN, body: hi("gpt-4o-mini", { input: "x".repeat(100_000) }) });
    await expectStatus(415, "POST", { key: OPEN, body: "hello", type: "text/plain" });
    await expectStatus(502, "POST", { key: OPEN, body: hi("unreachable") });
    await expectStatus(504, "POST", { key: OPEN, body: hi("stalls") });
    await expectStatus(503, "POST", { key: OPEN, body: hi("overloaded") });
    await expectStatus(200, "POST", { key: BUSY, body: hi("gpt-4o-mini") });
    await expectStatus(429, "POST", { key: BUSY, body: hi("gpt-4o-mini") });

    expect(undeclared(rec.seen)).toEqual([]);
    const withoutRetryAfter = rec.seen.filter((s) => (s.status === 429 || s.status === 503) && !/^\d+$/.test(s.headers.get("retry-after") ?? ""));
    expect(withoutRetryAfter.map((s) => `${s.method} ${s.path} -> ${s.status}`)).toEqual([]);
  });
});
