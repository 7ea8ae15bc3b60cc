// Shared setup of the overflow-queue tests: a config with slow and stalling models on the real mock
// upstream, tenants that overflow to the queue, and small helpers to hold a tenant's only slot and
// poll a job until it is final.
import { expect } from "vitest";
import type { MockUpstream } from "@runestone/mock-upstream";

export const QUEUE_KEY = "sk-test-queue-tenant-0123456789";
export const REJECT_KEY = "sk-test-reject-tenant-0123456789";
export const RPM_KEY = "sk-test-rpm-tenant-0123456789";
export const NOSY_KEY = "sk-test-nosy-tenant-0123456789";

export function jobsConfigYaml(upstreamUrl: string, o: { sqlitePath?: string; redisUrl?: string; redisPrefix?: string; queue?: string; port?: number } = {}): string {
  return `
server: { host: 127.0.0.1, port: ${o.port ?? 0}, shutdown_grace_ms: 2000 }
state: { ${o.sqlitePath ? `sqlite_path: ${o.sqlitePath}` : ""}${o.redisUrl ? `redis_url: "${o.redisUrl}", redis_prefix: "${o.redisPrefix ?? "jobs-test:"}", lease_ttl_ms: 5000` : ""} }
queue: ${o.queue ?? "{ max_per_tenant: 3, max_wait_ms: 20000, result_ttl_ms: 60000 }"}
logging: { level: warn }
providers:
  openai:
    type: openai
    base_url: ${upstreamUrl}/v1
    api_key: sk-upstream-secret
    timeouts: { connect_ms: 1000, first_byte_ms: 10000, idle_ms: 10000, total_ms: 20000 }
models:
  fast:
    deployments: [{ provider: openai, model: gpt-4o-mini }]
  slow:
    deployments: [{ provider: openai, model: "gpt-4o-mini::latencyMs=700" }]
  stalls:
    deployments: [{ provider: openai, model: "gpt-4o-mini::stall=before-headers" }]
tenants:
  - id: queue-tenant
    keys: [${QUEUE_KEY}]
    limits: { max_concurrent: 1 }
    overflow: queue
  - id: reject-tenant
    keys: [${REJECT_KEY}]
    limits: { max_concurrent: 1 }
  - id: rpm-tenant
    keys: [${RPM_KEY}]
    limits: { requests_per_minute: 2 }
    overflow: queue
  - id: nosy-tenant
    keys: [${NOSY_KEY}]
    overflow: queue
`;
}

export function chat(base: string, key: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify(body),
  });
}

export const say = (model: string, text: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: "user", content: text }], ...extra });

export async function getJob(base: string, key: string, id: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() };
}

export async function cancelJob(base: string, key: string, id: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/v1/jobs/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() };
}

/** Polls until the job is final (or the bound passes, which fails the test). */
export async function waitFinal(base: string, key: string, id: string, timeoutMs = 15_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await getJob(base, key, id);
    expect(status).toBe(200);
    if (!["queued", "running"].includes(body.status)) return body;
    if (Date.now() > until) throw new Error(`job ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends a request that queues (202) and returns its body. */
export async function enqueue(base: string, key: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<any> {
  const res = await chat(base, key, body, headers);
  const json = await res.json();
  expect(res.status, JSON.stringify(json)).toBe(202);
  return json;
}

export const upstreamSaw = (upstream: MockUpstream, marker: string) => upstream.requests.filter((r) => r.rawBody.includes(marker));

/**
 * Takes the tenant's only concurrency slot with a request the upstream never answers, once the
 * upstream has it; `release()` hangs up, which frees the slot. The holder itself asks not to be
 * queued, and is sent again while a previous holder's slot is still being freed (429).
 */
export async function holdSlot(upstream: MockUpstream, base: string, key: string, marker: string): Promise<{ release(): void }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const abort = new AbortController();
    const pending = fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "x-runestone-overflow": "reject" },
      body: JSON.stringify(say("stalls", marker)),
      signal: abort.signal,
    }).catch(() => undefined);
    const held = upstream.waitFor(() => upstreamSaw(upstream, marker).length === 1, 5_000).then(() => "held" as const);
    const first = await Promise.race([held, pending]);
    if (first === "held") return { release: () => abort.abort() };
    expect(first?.status).toBe(429);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the tenant's slot never freed up");
}
