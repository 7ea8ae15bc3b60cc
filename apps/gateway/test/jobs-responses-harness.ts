// Shared setup of the queued Responses API tests (embedded and Redis): models served by passthrough (the
// OpenAI provider on the mock upstream) and by translation (an OpenAI-compatible provider on the same mock
// upstream), one that falls back from the first to the second, the `stalls` model the jobs harness holds a
// tenant's only slot with, and tenants that overflow to the queue.
import { expect } from "vitest";
import { QUEUE_KEY, NOSY_KEY, REJECT_KEY } from "./jobs-harness";
import { ADMIN_KEY } from "./limits-harness";

export { QUEUE_KEY, NOSY_KEY, REJECT_KEY, ADMIN_KEY };

export function responsesJobsConfigYaml(upstreamUrl: string, o: { sqlitePath?: string; redisUrl?: string; redisPrefix?: string }): string {
  return `
server: { host: 127.0.0.1, port: 0, shutdown_grace_ms: 2000 }
admin: { key: ${ADMIN_KEY} }
state: { ${o.sqlitePath ? `sqlite_path: ${o.sqlitePath}` : ""}${o.redisUrl ? `redis_url: "${o.redisUrl}", redis_prefix: "${o.redisPrefix ?? "resp-jobs-test:"}", lease_ttl_ms: 5000` : ""} }
queue: { max_per_tenant: 3, max_wait_ms: 20000, result_ttl_ms: 60000 }
logging: { level: warn }
resilience:
  retries: { max_retries: 0 }
  breaker: { consecutive_failures: 100000, minimum_requests: 100000 }
providers:
  openai:
    type: openai
    base_url: ${upstreamUrl}/v1
    api_key: sk-upstream-secret
    timeouts: { connect_ms: 1000, first_byte_ms: 10000, idle_ms: 10000, total_ms: 20000 }
  compat:
    type: openai-compatible
    base_url: ${upstreamUrl}/v1
    api_key: sk-compat-secret
models:
  fast:
    deployments: [{ provider: openai, model: gpt-4o-mini }]
  stalls:
    deployments: [{ provider: openai, model: "gpt-4o-mini::stall=before-headers" }]
  translated:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: compat, model: compat-model }]
  falls-back:
    capabilities: [chat, streaming, function_calling]
    pricing: { input_per_1m: 1, output_per_1m: 2 }
    deployments: [{ provider: openai, model: "gpt-primary::status=503" }, { provider: compat, model: compat-backup }]
tenants:
  - id: queue-tenant
    keys: [${QUEUE_KEY}]
    limits: { max_concurrent: 1 }
    overflow: queue
  - id: reject-tenant
    keys: [${REJECT_KEY}]
    limits: { max_concurrent: 1 }
  - id: nosy-tenant
    keys: [${NOSY_KEY}]
    overflow: queue
`;
}

export function postResponse(base: string, key: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify(body),
  });
}

/** Sends a Responses request that must be queued, checks the 202 is chat's (body, Location, request id) and returns its body. */
export async function enqueueResponse(base: string, key: string, body: Record<string, unknown>): Promise<{ job_id: string; request_id: string; status_url: string; estimated_wait_time: number; message: string }> {
  const res = await postResponse(base, key, body);
  const json = (await res.json()) as any;
  expect(res.status, JSON.stringify(json)).toBe(202);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  expect(json).toMatchObject({ job_id: expect.stringMatching(/^job_/), status_url: `/v1/jobs/${json.job_id}`, message: expect.stringMatching(/queued/i) });
  expect(json.estimated_wait_time).toBeGreaterThanOrEqual(0);
  expect(res.headers.get("location")).toBe(json.status_url);
  expect(res.headers.get("x-request-id")).toBe(json.request_id);
  return json;
}

export async function getResponse(base: string, key: string, id: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/v1/responses/${id}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() };
}

/** The text of a response's first message. */
export const outputText = (response: any): string => response.output.find((i: any) => i.type === "message")?.content?.[0]?.text;
