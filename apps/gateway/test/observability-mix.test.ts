// A scripted mix of traffic (several tenants and models, streams, upstream failures, fallbacks, a
// retry, refusals, a queued job) through the real gateway and the real mock upstream; then /metrics
// must match the mix exactly, and the log lines must describe it without leaking keys or prompts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRequest } from "../src/core/provider-contract";
import { estimatePromptTokens } from "../src/core/estimate-tokens";
import { startHarness, type Harness } from "./harness";
import { parseMetrics, series, sum, type Sample } from "./metrics-text";

const KEYS = {
  a: "sk-obs-tenant-a-secret-0123456789",
  b: "sk-obs-tenant-b-secret-0123456789",
  tiny: "sk-obs-tenant-tiny-secret-0123456789",
  q: "sk-obs-tenant-q-secret-0123456789",
};
const UPSTREAM_KEYS = ["sk-obs-upstream-secret-abcdef", "sk-obs-backup-secret-abcdef"];
const ADMIN_KEY = "sk-obs-admin-secret-0123456789abcdef";

type PriceList = { input_per_1m: number; output_per_1m: number };
const PRICES: Record<string, PriceList> = {
  "gpt-4o-mini": { input_per_1m: 0.15, output_per_1m: 0.6 },
  "small-model": { input_per_1m: 1, output_per_1m: 2 },
  "fallback-model": { input_per_1m: 2.5, output_per_1m: 10 },
  /** The backup deployment of fallback-model has its own, lower price. */
  "fallback-model@backup": { input_per_1m: 1, output_per_1m: 4 },
  "retry-model": { input_per_1m: 3, output_per_1m: 6 },
  "cutting-model": { input_per_1m: 5, output_per_1m: 5 },
  slow: { input_per_1m: 0.5, output_per_1m: 1.5 },
};

function mixConfig(dir: string) {
  return (upstreamUrl: string) => `
server: { host: 127.0.0.1, port: 0, shutdown_grace_ms: 3000 }
state: { sqlite_path: ${join(dir, "state.db")} }
admin: { key: ${ADMIN_KEY} }
metrics: { access: admin }
queue: { max_per_tenant: 5, max_wait_ms: 20000, result_ttl_ms: 60000 }
resilience:
  retries: { max_retries: 1, backoff_base_ms: 10, backoff_max_ms: 20 }
  breaker: { consecutive_failures: 1000, minimum_requests: 1000 }
providers:
  openai:
    type: openai
    base_url: ${upstreamUrl}/v1
    api_key: ${UPSTREAM_KEYS[0]}
    timeouts: { connect_ms: 1000, first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 }
  backup:
    type: openai-compatible
    base_url: ${upstreamUrl}/v1
    api_key: ${UPSTREAM_KEYS[1]}
models:
  gpt-4o-mini:
    pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }
    deployments: [{ provider: openai, model: gpt-4o-mini }]
  small-model:
    pricing: { input_per_1m: 1, output_per_1m: 2 }
    deployments: [{ provider: openai, model: small-model }]
  fallback-model:
    pricing: { input_per_1m: 2.5, output_per_1m: 10 }
    deployments:
      - { provider: openai, model: "primary::status=503" }
      - { provider: backup, model: backup-model, pricing: { input_per_1m: 1, output_per_1m: 4 } }
  retry-model:
    pricing: { input_per_1m: 3, output_per_1m: 6 }
    deployments: [{ provider: openai, model: retry-upstream }]
  broken-model:
    deployments: [{ provider: openai, model: "broken::status=400" }]
  cutting-model:
    pricing: { input_per_1m: 5, output_per_1m: 5 }
    deployments: [{ provider: openai, model: "cutting::midStreamError=2" }]
  slow:
    pricing: { input_per_1m: 0.5, output_per_1m: 1.5 }
    deployments: [{ provider: openai, model: "gpt-4o-mini::latencyMs=600" }]
tenants:
  - { id: tenant-a, keys: [${KEYS.a}] }
  - { id: tenant-b, keys: [${KEYS.b}] }
  - { id: tenant-tiny, keys: [${KEYS.tiny}], limits: { requests_per_minute: 2 } }
  - { id: tenant-q, keys: [${KEYS.q}], limits: { max_concurrent: 1 }, overflow: queue }
`;
}

/** What one request of the mix should leave in the metrics, from what its client saw. */
interface Sent {
  tenant: string;
  model: string;
  status: number;
  provider: string;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
/** The mock's deterministic usage for one user message: words + 3 per message in, "echo: " + text out. */
const mockUsage = (text: string) => ({ promptTokens: words(text) + 3, completionTokens: words(text) + 1 });
/** Runestone's estimate for a stream without a usage report, from the request and the events the client got. */
function estimatedUsage(body: Record<string, unknown>, sse: string): { promptTokens: number; completionTokens: number } {
  let chars = 0;
  for (const line of sse.split("\n")) {
    if (!line.startsWith("data: {")) continue;
    for (const c of (JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> }).choices ?? []) chars += c.delta?.content?.length ?? 0;
  }
  return { promptTokens: estimatePromptTokens(body as unknown as ChatRequest), completionTokens: Math.ceil(chars / 4) };
}
const price = (p: PriceList, t: { promptTokens: number; completionTokens: number }) => (t.promptTokens * p.input_per_1m + t.completionTokens * p.output_per_1m) / 1e6;

let h: Harness;
let dir: string;
const sent: Sent[] = [];
const prompts: string[] = [];
let samples: Sample[];
let metricsText: string;
let n = 0;

/** A prompt unique to this request, so the redaction scan can look for every one of them. */
function prompt(): string {
  const p = `confidential prompt number ${++n} about project nightingale`;
  prompts.push(p);
  return p;
}

async function chat(key: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${h.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
}

async function send(tenant: string, key: string, model: string, opts: { stream?: boolean; pricing?: PriceList; cutShort?: boolean } = {}): Promise<Response> {
  const text = prompt();
  const body: Record<string, unknown> = { model, messages: [{ role: "user", content: text }] };
  if (opts.stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  const res = await chat(key, body);
  const raw = await res.text();
  const ok = res.status === 200 && !opts.cutShort;
  // A stream cut short reports no usage: the gateway accounts its estimate (prompt, plus ~4 characters per streamed token).
  const cut = res.status === 200 && opts.cutShort === true;
  const usage = ok ? mockUsage(text) : cut ? estimatedUsage(body, raw) : { promptTokens: 0, completionTokens: 0 };
  if (ok && !opts.stream) expect(JSON.parse(raw).usage).toMatchObject({ prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens });
  sent.push({
    tenant,
    model,
    status: res.status,
    provider: res.headers.get("x-runestone-provider") ?? "none",
    stream: opts.stream === true,
    ...usage,
    costUsd: ok || cut ? price(opts.pricing ?? PRICES[model]!, usage) : 0,
  });
  return new Response(raw, { status: res.status, headers: res.headers });
}

async function scrape(): Promise<string> {
  const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return res.text();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "runestone-obs-"));
  h = await startHarness({ configYaml: mixConfig(dir) });
  h.upstream.behave({ status: 503 }, { times: 1, model: "retry-upstream" });

  for (let i = 0; i < 3; i++) expect((await send("tenant-a", KEYS.a, "gpt-4o-mini")).status).toBe(200);
  for (let i = 0; i < 2; i++) expect((await send("tenant-b", KEYS.b, "gpt-4o-mini", { stream: true })).status).toBe(200);
  expect((await send("tenant-b", KEYS.b, "small-model")).status).toBe(200);
  const fb = await send("tenant-a", KEYS.a, "fallback-model", { pricing: PRICES["fallback-model@backup"] });
  expect([fb.status, fb.headers.get("x-runestone-fallbacks")]).toEqual([200, "1"]);
  expect((await send("tenant-b", KEYS.b, "fallback-model", { stream: true, pricing: PRICES["fallback-model@backup"] })).status).toBe(200);
  expect((await send("tenant-a", KEYS.a, "retry-model")).status).toBe(200);
  expect((await send("tenant-a", KEYS.a, "broken-model")).status).toBe(400);
  expect((await send("tenant-a", KEYS.a, "gpt-nope")).status).toBe(404);
  expect((await send("none", "sk-obs-wrong-key-0123456789", "gpt-4o-mini")).status).toBe(401);
  const tinyStatuses = [];
  for (let i = 0; i < 3; i++) tinyStatuses.push((await send("tenant-tiny", KEYS.tiny, "gpt-4o-mini")).status);
  expect(tinyStatuses).toEqual([200, 200, 429]);
  const cut = await send("tenant-b", KEYS.b, "cutting-model", { stream: true, cutShort: true });
  expect(await cut.text()).toContain('"error"');

  // tenant-q holds its only slot with a slow request; the next one is queued (202) and runs after it.
  const slow = send("tenant-q", KEYS.q, "slow");
  await h.upstream.waitFor((reqs) => reqs.some((r) => String((r.body as { model?: string })?.model).startsWith("gpt-4o-mini::latencyMs")), 5000);
  const queuedText = prompt();
  const queued = await chat(KEYS.q, { model: "slow", messages: [{ role: "user", content: queuedText }] });
  expect(queued.status).toBe(202);
  const job = (await queued.json()) as { job_id: string };
  sent.push({ tenant: "tenant-q", model: "slow", status: 202, provider: "none", stream: false, promptTokens: 0, completionTokens: 0, costUsd: 0 });
  expect((await slow).status).toBe(200);
  for (const until = Date.now() + 15_000; ; ) {
    const r = await fetch(`${h.url}/v1/jobs/${job.job_id}`, { headers: { authorization: `Bearer ${KEYS.q}` } });
    const body = (await r.json()) as { status: string };
    if (body.status === "succeeded") break;
    expect(["queued", "running"]).toContain(body.status);
    if (Date.now() > until) throw new Error("the queued job did not finish");
    await new Promise((r) => setTimeout(r, 50));
  }
  // The job's own call: its tokens and cost belong to tenant-q and model slow as well.
  const jobUsage = mockUsage(queuedText);
  sent.push({ tenant: "tenant-q", model: "slow", status: -1, provider: "openai", stream: false, ...jobUsage, costUsd: price(PRICES.slow!, jobUsage) });

  metricsText = await scrape();
  samples = parseMetrics(metricsText);
}, 60_000);

afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const requests = () => sent.filter((s) => s.status !== -1);
const CHAT = "/v1/chat/completions";

describe("metrics after a scripted mix of traffic", () => {
  it("counts every request by route, status, provider, model and tenant, and nothing else", () => {
    const expected = new Map<string, number>();
    for (const s of requests()) {
      // A request without a valid key is refused before its body is read: its model is not known.
      const model = s.status === 401 ? "none" : s.model in PRICES || s.model === "broken-model" ? s.model : "other";
      const key = JSON.stringify({ route: CHAT, status: String(s.status), provider: s.provider, model, tenant: s.tenant });
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const actual = new Map<string, number>();
    for (const x of series(samples, "runestone_requests_total").filter((x) => x.labels.route === CHAT)) {
      const { route, status, provider, model, tenant } = x.labels;
      actual.set(JSON.stringify({ route, status, provider, model, tenant }), x.value);
    }
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
    expect(sum(samples, "runestone_request_duration_seconds_count", { route: CHAT })).toBe(requests().length);
  });

  it("adds up input and output tokens and cost per tenant and model exactly as the catalog prices them", () => {
    const billed = sent.filter((s) => s.promptTokens > 0);
    const keys = new Set(billed.map((s) => `${s.tenant}|${s.model}`));
    expect(keys.size).toBeGreaterThan(4);
    for (const k of keys) {
      const [tenant, model] = k.split("|") as [string, string];
      const mine = billed.filter((s) => s.tenant === tenant && s.model === model);
      const labels = { tenant, model };
      expect(sum(samples, "runestone_input_tokens_total", labels), k).toBe(mine.reduce((a, s) => a + s.promptTokens, 0));
      expect(sum(samples, "runestone_output_tokens_total", labels), k).toBe(mine.reduce((a, s) => a + s.completionTokens, 0));
      expect(sum(samples, "runestone_cost_usd_total", labels), k).toBeCloseTo(mine.reduce((a, s) => a + s.costUsd, 0), 12);
    }
    expect(sum(samples, "runestone_input_tokens_total")).toBe(billed.reduce((a, s) => a + s.promptTokens, 0));
    expect(sum(samples, "runestone_output_tokens_total")).toBe(billed.reduce((a, s) => a + s.completionTokens, 0));
    expect(sum(samples, "runestone_cost_usd_total")).toBeCloseTo(billed.reduce((a, s) => a + s.costUsd, 0), 12);
  });

  it("counts fallbacks, retries, refusals and upstream attempts by outcome", () => {
    expect(sum(samples, "runestone_fallbacks_total")).toBe(2);
    expect(sum(samples, "runestone_fallbacks_total", { model: "fallback-model", from_provider: "openai", to_provider: "backup" })).toBe(2);
    expect(sum(samples, "runestone_retries_total")).toBe(1);
    expect(sum(samples, "runestone_retries_total", { provider: "openai", model: "retry-model" })).toBe(1);
    expect(sum(samples, "runestone_rate_limited_total")).toBe(2);
    expect(sum(samples, "runestone_rate_limited_total", { tenant: "tenant-tiny", limit: "requests", action: "rejected" })).toBe(1);
    expect(sum(samples, "runestone_rate_limited_total", { tenant: "tenant-q", limit: "concurrency", action: "queued" })).toBe(1);
    // failed: 2 primaries of fallback-model, the first retry-model call, broken-model
    expect(sum(samples, "runestone_upstream_duration_seconds_count", { outcome: "http" })).toBe(4);
    // answered: every 200 of the mix plus the queued job's call
    const answered = sent.filter((s) => s.status === 200 || s.status === -1).length;
    expect(sum(samples, "runestone_upstream_duration_seconds_count", { outcome: "ok" })).toBe(answered);
  });

  it("observes time to first token for each stream and the gateway's overhead for each answered request", () => {
    const streams = requests().filter((s) => s.stream && s.status === 200).length;
    expect(streams).toBe(4);
    expect(sum(samples, "runestone_time_to_first_token_seconds_count")).toBe(streams);
    expect(sum(samples, "runestone_gateway_overhead_seconds_count", { route: CHAT })).toBe(requests().filter((s) => s.status === 200).length);
    // sub-millisecond buckets exist for the overhead histogram
    expect(series(samples, "runestone_gateway_overhead_seconds_bucket").some((s) => Number(s.labels.le) < 0.001)).toBe(true);
  });

  it("reports the queue, active requests, breaker states and process metrics under the runestone_ prefix", () => {
    expect(sum(samples, "runestone_queue_wait_seconds_count", { tenant: "tenant-q" })).toBe(1);
    expect(sum(samples, "runestone_jobs_finished_total", { tenant: "tenant-q", status: "succeeded" })).toBe(1);
    expect(sum(samples, "runestone_queue_depth")).toBe(0);
    expect(sum(samples, "runestone_active_requests")).toBe(1); // the scrape itself
    expect(sum(samples, "runestone_breaker_state", { provider: "backup", deployment: "backup-model" })).toBe(0);
    expect(series(samples, "runestone_breaker_state").length).toBeGreaterThanOrEqual(7);
    expect(sum(samples, "runestone_process_cpu_seconds_total")).toBeGreaterThan(0);
    const names = new Set(samples.map((s) => s.name));
    expect([...names].filter((x) => !x.startsWith("runestone_"))).toEqual([]);
  });
});

describe("request logs of the same mix", () => {
  const lines = () => h.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  it("writes one line per request with its id, tenant, route, provider, model, status, durations, tokens and cost", () => {
    const reqLines = lines().filter((l) => l.msg === "request" && l.route === CHAT);
    expect(reqLines).toHaveLength(requests().length);
    for (const l of reqLines) {
      expect(l.request_id).toMatch(/^req_/);
      for (const k of ["method", "status", "duration_ms", "stream"]) expect(l, k).toHaveProperty(k);
    }
    const streamed = reqLines.find((l) => l.tenant === "tenant-b" && l.model === "fallback-model")!;
    expect(streamed).toMatchObject({ provider: "backup", status: 200, stream: true, fallbacks: 1, retries: 0, routing_policy: "default" });
    for (const k of ["upstream_ms", "overhead_ms", "ttft_ms", "prompt_tokens", "completion_tokens", "cost_usd"]) expect(typeof streamed[k], k).toBe("number");
    expect(streamed.overhead_ms as number).toBeLessThanOrEqual(streamed.duration_ms as number);
    const retried = reqLines.find((l) => l.model === "retry-model")!;
    expect(retried).toMatchObject({ retries: 1, status: 200, tenant: "tenant-a" });
    expect(reqLines.find((l) => l.status === 429)).toMatchObject({ tenant: "tenant-tiny", error_code: "rate_limit_exceeded" });
    expect(reqLines.find((l) => l.status === 404)).toMatchObject({ error_code: "model_not_found" });
    expect(reqLines.find((l) => l.status === 401)).toMatchObject({ error_code: "invalid_api_key" });
    const cut = sent.find((x) => x.model === "cutting-model")!;
    expect(reqLines.find((l) => l.model === "cutting-model")).toMatchObject({ status: 200, stream: true, error_code: expect.any(String), tokens_estimated: true, prompt_tokens: cut.promptTokens, completion_tokens: cut.completionTokens });
    expect(streamed.tokens_estimated).toBeUndefined();
  });

  it("never writes an API key, upstream key, admin key or prompt text to any log line", () => {
    const text = h.logs.text();
    expect(text.length).toBeGreaterThan(1000);
    const secrets = [...Object.values(KEYS), ...UPSTREAM_KEYS, ADMIN_KEY, "sk-obs-wrong-key-0123456789"];
    for (const s of secrets) expect(text.includes(s), s).toBe(false);
    expect(prompts.length).toBeGreaterThan(15);
    for (const p of prompts) expect(text.includes(p), p).toBe(false);
    expect(text.includes("nightingale")).toBe(false);
  });
});
