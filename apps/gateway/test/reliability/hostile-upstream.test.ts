// Reliability: hostile upstream answers (issue 12, items 1, 4, 5 and 7). An upstream is untrusted input: the
// gateway runs as its own process, the mock upstream answers what no honest provider would (usage counts that
// are strings, negative, 1e400 or objects; error text carrying keys; answers and SSE lines of megabytes;
// `choices: [null]`), and each scenario asserts the process is still up and serving, and what clients saw.
import { startMockUpstream, type MockBehavior, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tempSqlitePath, upstreamRequestsFor } from "../harness";
import { freePort, startRedis } from "../redis-server";
import { spawnGateway, writeConfig, type ProcessGateway } from "./process-gateway";
import { SectionRecorder } from "./results";

const TENANT_KEY = "sk-rel-hostile-tenant-0123456789";
const BYSTANDER_KEY = "sk-rel-hostile-bystander-0123456789";
const UPSTREAM_KEY = "sk-rel-hostile-upstream-secret-abcdef0123";
const CLAUDE_KEY = "sk-ant-rel-hostile-claude-secret-abcdef0123";
const ADMIN_KEY = "rel-hostile-admin-key-0123456789abcdef";
const BUDGET_KEY = "sk-rel-hostile-budget-0123456789";
const CACHE_KEY = "sk-rel-hostile-cache-0123456789";
const QUEUE_KEY = "sk-rel-hostile-queue-0123456789";
/** Far above what the hostile answers' estimates cost (a few hundred µ$ each), far below one honest 10 000-token answer. */
const BUDGET_USD = 0.5;
/** A key the upstream leaks that the gateway never knew: caught by its shape. */
const FOREIGN_TOKEN = "sk-proj-LeakedForeignToken0123456789xyz";
const LEAK = `invalid request for key ${UPSTREAM_KEY} (Authorization: Bearer ${FOREIGN_TOKEN}; x-api-key ${CLAUDE_KEY}; admin ${ADMIN_KEY})`;
const SECRETS = [UPSTREAM_KEY, CLAUDE_KEY, ADMIN_KEY, FOREIGN_TOKEN, "Bearer sk-"];

const RESPONSE_CAP = 1024 * 1024;
const EVENT_CAP = 256 * 1024;
const HUGE = 5 * 1024 * 1024;

const yaml = (url: string, port: number, state = `{ sqlite_path: ${tempSqlitePath()} }`) => `
server: { host: 127.0.0.1, port: ${port}, request_timeout_ms: 30000, shutdown_grace_ms: 1000, max_upstream_response_bytes: ${RESPONSE_CAP}, max_upstream_event_bytes: ${EVENT_CAP} }
state: ${state}
admin: { key: ${ADMIN_KEY} }
resilience:
  retries: { max_retries: 2, backoff_base_ms: 10, backoff_max_ms: 50, max_retry_after_ms: 100 }
  breaker: { consecutive_failures: 1000, minimum_requests: 1000, failure_rate: 1, window_ms: 10000, open_ms: 500 }
providers:
  compat: { type: openai-compatible, base_url: "${url}/v1", api_key: ${UPSTREAM_KEY}, timeouts: { connect_ms: 2000, first_byte_ms: 10000, idle_ms: 10000, total_ms: 30000 } }
  backup: { type: openai-compatible, base_url: "${url}/v1", api_key: sk-rel-hostile-backup-abcdef0123 }
  oai: { type: openai, base_url: "${url}/v1", api_key: ${UPSTREAM_KEY} }
  claude: { type: anthropic, base_url: "${url}", api_key: ${CLAUDE_KEY} }
models:
  u-chat: { pricing: { input_per_1m: 1, output_per_1m: 2 }, deployments: [{ provider: compat, model: u-chat }] }
  u-claude: { pricing: { input_per_1m: 1, output_per_1m: 2 }, deployments: [{ provider: claude, model: u-claude }] }
  u-embed: { capabilities: [embeddings], pricing: { input_per_1m: 1, output_per_1m: 0 }, deployments: [{ provider: compat, model: u-embed }] }
  leak-chat: { deployments: [{ provider: compat, model: leak-chat }] }
  leak-claude: { deployments: [{ provider: claude, model: leak-claude }] }
  huge: { deployments: [{ provider: compat, model: huge-p }, { provider: backup, model: huge-b }] }
  broken: { deployments: [{ provider: compat, model: broken }] }
  plain: { deployments: [{ provider: compat, model: plain }] }
  r-pass: { pricing: { input_per_1m: 1, output_per_1m: 2 }, deployments: [{ provider: oai, model: r-pass }] }
  r-trans: { pricing: { input_per_1m: 1, output_per_1m: 2 }, deployments: [{ provider: compat, model: r-trans }] }
  hold: { deployments: [{ provider: compat, model: hold }] }
tenants:
  - { id: tenant-hostile, keys: [${TENANT_KEY}] }
  - { id: tenant-bystander, keys: [${BYSTANDER_KEY}] }
  - { id: tenant-budget, keys: [${BUDGET_KEY}], limits: { budget: { amount_usd: ${BUDGET_USD}, period: day } } }
  - { id: tenant-cache, keys: [${CACHE_KEY}], cache: { ttl_seconds: 600 } }
  - { id: tenant-queue, keys: [${QUEUE_KEY}], limits: { max_concurrent: 1 }, overflow: queue }
queue: { max_per_tenant: 5, max_wait_ms: 20000, result_ttl_ms: 60000 }
`;

const rec = new SectionRecorder("hostile-upstream");
let upstream: MockUpstream;
let gw: ProcessGateway;
/** Every response body this file received, scanned for secrets at the end of the redaction scenario. */
const bodies: string[] = [];

let start: () => Promise<ProcessGateway>;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const port = await freePort();
  const config = writeConfig(yaml(upstream.url, port));
  start = () => spawnGateway(config, port, { LOG_LEVEL: "debug" });
  gw = await start();
});

/** Each scenario starts on a live gateway, so that one that kills the process does not fail the others. */
beforeEach(async () => {
  await new Promise((r) => setTimeout(r, 200)); // a process killed by the last answer's 'finish' handler dies just after it
  if (!gw.alive()) gw = await start();
});

afterAll(async () => {
  rec.write();
  await gw?.stop();
  await upstream?.close();
});

/** The next calls for this upstream model answer `behavior` (earlier rules and recordings are dropped). */
function answer(upstreamModel: string, behavior: MockBehavior): void {
  upstream.reset();
  upstream.behave(behavior, { model: upstreamModel });
}

async function post(path: string, body: Record<string, unknown>, key = TENANT_KEY): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, text, type: res.headers.get("content-type") ?? "" };
}

const chat = (model: string, extra: Record<string, unknown> = {}, key?: string) =>
  post("/v1/chat/completions", { model, messages: [{ role: "user", content: "count my tokens please" }], ...extra }, key);
const messages = (model: string, extra: Record<string, unknown> = {}) =>
  post("/v1/messages", { model, max_tokens: 50, messages: [{ role: "user", content: "count my tokens please" }], ...extra });
const dataOf = (text: string) =>
  text
    .split("\n\n")
    .map((e) => e.split("\n").find((l) => l.startsWith("data: "))?.slice(6))
    .filter((d): d is string => d !== undefined);
const errorIn = (text: string) => JSON.parse(text) as { error: { type: string; code: string | null; message: string } };
const isCount = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** The process is up, and another tenant is served. */
async function stillServing(): Promise<void> {
  expect(gw.alive()).toBe(true);
  const res = await chat("plain", {}, BYSTANDER_KEY);
  expect(res.status).toBe(200);
}

describe("malformed usage from upstreams (item 1)", () => {
  const VALUES = ['"12"', "-5", "1e400", "{}"];
  const openai = [...VALUES.map((v) => `{"prompt_tokens":${v},"completion_tokens":${v},"total_tokens":${v}}`), "null"];
  const anthropic = [...VALUES.map((v) => `{"input_tokens":${v},"output_tokens":${v}}`), "null"];
  const embeddings = [...VALUES.map((v) => `{"prompt_tokens":${v},"total_tokens":${v}}`), "null"];

  it("answers every malformed usage (JSON, streams, Anthropic, embeddings) and stays up, with numeric usage and metrics", async () => {
    const row = rec.start(
      "malformed usage: \"12\", -5, 1e400, {}, null",
      "each answered 200; process alive and serving another tenant; /v1/usage and /metrics numeric; client-visible usage numeric or absent",
    );
    let answered = 0;
    const sent = async (run: () => Promise<{ status: number; text: string }>) => {
      const res = await run();
      expect(res.status).toBe(200);
      expect(gw.alive()).toBe(true);
      answered += 1;
      return res;
    };
    /** What clients were shown as usage, checked once the process has proved it survived. */
    const shown: Array<Record<string, unknown>> = [];
    for (const usageJson of openai) {
      answer("u-chat", { usageJson });
      const json = JSON.parse((await sent(() => chat("u-chat"))).text) as { usage?: Record<string, unknown> };
      if (json.usage) shown.push(json.usage);
      const stream = await sent(() => chat("u-chat", { stream: true, stream_options: { include_usage: true } }));
      const events = dataOf(stream.text);
      expect(events.at(-1)).toBe("[DONE]");
      for (const e of events.slice(0, -1)) {
        const u = (JSON.parse(e) as { usage?: Record<string, unknown> | null }).usage;
        if (u) shown.push(u);
      }
    }
    for (const usageJson of anthropic) {
      answer("u-claude", { usageJson });
      await sent(() => chat("u-claude"));
      expect(dataOf((await sent(() => chat("u-claude", { stream: true, stream_options: { include_usage: true } }))).text).at(-1)).toBe("[DONE]");
      await sent(() => messages("u-claude"));
      expect((await sent(() => messages("u-claude", { stream: true }))).text).toContain("message_stop");
    }
    for (const usageJson of embeddings) {
      answer("u-embed", { usageJson });
      const emb = JSON.parse((await sent(() => post("/v1/embeddings", { model: "u-embed", input: "count my tokens" }))).text) as { usage: Record<string, unknown> };
      shown.push(emb.usage);
    }
    upstream.reset();
    await stillServing();
    for (const u of shown) for (const k of ["prompt_tokens", "total_tokens"]) expect(isCount(u[k]), JSON.stringify(u)).toBe(true);

    const usage = await fetch(`${gw.url}/v1/usage?group_by=model`, { headers: { authorization: `Bearer ${TENANT_KEY}` } });
    expect(usage.status).toBe(200);
    const rows = ((await usage.json()) as { data: Array<Record<string, unknown>> }).data;
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) for (const [k, v] of Object.entries(r)) if (/tokens|requests|cost/.test(k)) expect(typeof v === "number" && Number.isFinite(v) && v >= 0, `${k}=${String(v)}`).toBe(true);

    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const tokenLines = metrics.split("\n").filter((l) => /^runestone_(input|output|cached_input)_tokens_total\{.*tenant="tenant-hostile"/.test(l) || /^runestone_cost_usd_total\{.*tenant="tenant-hostile"/.test(l));
    expect(tokenLines.length).toBeGreaterThan(0);
    for (const l of tokenLines) expect(Number.isFinite(Number(l.split(" ").at(-1))), l).toBe(true);
    expect(gw.stderr()).not.toMatch(/TypeError|not a valid number/);
    row.pass(`${answered} hostile answers all 200, process alive, bystander served; ${rows.length} usage rows and ${tokenLines.length} token/cost series numeric`);
  });
});

describe("secrets in upstream error text (item 4)", () => {
  it("never relays a key (configured or key-shaped) to a client or into the logs, on every error path", async () => {
    const row = rec.start(
      "upstream error text with keys",
      "400/404/429/500, stream error events, /v1/messages (OpenAI- and Anthropic-backed): message relayed with [redacted], no secret in any body or log line",
    );
    const seen: string[] = [];
    const check = (what: string, text: string, status?: number) => {
      for (const s of SECRETS) expect(text, `${what} leaks ${s}`).not.toContain(s);
      expect(text, `${what} relays the upstream's message`).toContain("[redacted]");
      seen.push(status === undefined ? what : `${what} ${status}`);
    };
    for (const status of [400, 404, 429, 500]) {
      answer("leak-chat", { status, errorMessage: LEAK });
      const res = await chat("leak-chat");
      expect(res.status).toBeGreaterThanOrEqual(400);
      check("chat JSON", res.text, res.status);
      const msg = await messages("leak-chat");
      expect(msg.status).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(msg.text)).toMatchObject({ type: "error" });
      check("messages via OpenAI upstream", msg.text, msg.status);
      answer("leak-claude", { status, errorMessage: LEAK });
      check("chat via Anthropic upstream", (await chat("leak-claude")).text, status);
      const passthrough = await messages("leak-claude");
      expect(JSON.parse(passthrough.text)).toMatchObject({ type: "error" });
      check("messages passthrough", passthrough.text, status);
    }
    answer("leak-chat", { midStreamError: 1, errorMessage: LEAK });
    const stream = await chat("leak-chat", { stream: true });
    expect(stream.status).toBe(200);
    expect(dataOf(stream.text)).not.toContain("[DONE]");
    check("chat stream error event", stream.text);
    check("messages stream via OpenAI upstream", (await messages("leak-chat", { stream: true })).text);
    answer("leak-claude", { midStreamError: 1, errorMessage: LEAK });
    check("chat stream via Anthropic upstream", (await chat("leak-claude", { stream: true })).text);
    const passStream = await messages("leak-claude", { stream: true });
    expect(passStream.text).toContain("event: error");
    check("messages passthrough stream", passStream.text);
    upstream.reset();

    await new Promise((r) => setTimeout(r, 300)); // pino writes asynchronously
    const logs = gw.logs() + gw.stderr();
    for (const s of SECRETS) expect(logs, `logs leak ${s}`).not.toContain(s);
    await stillServing();
    row.pass(`${seen.length} error answers relayed with [redacted], 0 secrets in bodies or ${logs.split("\n").length} log lines`);
  });
});

describe("upstream answers past the size caps (item 5)", () => {
  it("answers 502 upstream_response_too_large at the cap, once, without retry or fallback, and keeps memory flat", async () => {
    const row = rec.start(
      "5 MB answer / 5 MB SSE line (caps 1 MiB / 256 KiB)",
      "JSON and stream before the first byte: 502 upstream_response_too_large, 1 upstream call, no fallback; after the first byte: error event, no [DONE]; RSS growth < 64 MiB",
    );
    const rss0 = gw.rssMb();
    upstream.reset();
    upstream.behave({ hugeResponseBytes: HUGE }, { model: "huge-p" });
    upstream.behave({ hugeResponseBytes: HUGE }, { model: "huge-b" });
    const json = await chat("huge");
    expect(json.status).toBe(502);
    expect(errorIn(json.text).error).toMatchObject({ type: "service_error", code: "upstream_response_too_large" });
    expect(upstreamRequestsFor(upstream, "huge-p")).toHaveLength(1);
    expect(upstreamRequestsFor(upstream, "huge-b")).toHaveLength(0);

    answer("huge-p", { rawBody: `data: {"x":"${"a".repeat(HUGE)}` });
    const early = await chat("huge", { stream: true });
    expect(early.status).toBe(502);
    expect(early.type).toMatch(/application\/json/);
    expect(errorIn(early.text).error.code).toBe("upstream_response_too_large");
    expect(upstreamRequestsFor(upstream, "huge-p")).toHaveLength(1);
    expect(upstreamRequestsFor(upstream, "huge-b")).toHaveLength(0);

    answer("huge-p", { hugeLineBytes: HUGE });
    const late = await chat("huge", { stream: true });
    expect(late.status).toBe(200);
    const events = dataOf(late.text);
    expect(events).not.toContain("[DONE]");
    expect(events.some((e) => /"content":"[^"]+"/.test(e))).toBe(true);
    expect(errorIn(events.at(-1)!).error).toMatchObject({ type: "service_error", code: "upstream_response_too_large" });
    expect(upstreamRequestsFor(upstream, "huge-p")).toHaveLength(1);
    upstream.reset();

    const rss1 = gw.rssMb();
    rec.figures["RSS before / after the 5 MB answers (MiB)"] = `${rss0.toFixed(0)} / ${rss1.toFixed(0)}`;
    expect(rss1 - rss0).toBeLessThan(64);
    await stillServing();
    row.pass(`3 x 5 MB refused at the cap: 502 (JSON), 502 (stream, before first byte), error event (after first byte); 1 call each, 0 fallbacks; RSS ${rss0.toFixed(0)} -> ${rss1.toFixed(0)} MiB`);
  });
});

describe("error text built to make redaction backtrack", () => {
  /** `/health/live` polled every 100 ms while `run` goes on: the slowest answer (ms); a blocked event loop shows here. */
  async function slowestLiveness(run: () => Promise<void>): Promise<number> {
    let slowest = 0;
    let done = false;
    const poll = (async () => {
      while (!done) {
        const t = performance.now();
        const res = await fetch(`${gw.url}/health/live`, { signal: AbortSignal.timeout(30_000) });
        expect(res.status).toBe(200);
        slowest = Math.max(slowest, performance.now() - t);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await run();
    } finally {
      done = true;
      await poll;
    }
    return slowest;
  }

  it("answers an upstream 500 whose message is 'key' and a megabyte of spaces promptly, and /health/live keeps answering", async () => {
    const row = rec.start(
      "upstream 500 with 'key' + 1 MB of spaces (Anthropic JSON) / + 200 KB (passthrough error event)",
      "error answered within 10 s each (retried 500s included); /health/live answered within 2 s throughout",
    );
    // Under the 1 MiB answer cap of this config, so the whole message reaches the error parser; the old
    // quadratic pattern took minutes on it (and ran three times: the 500 is retried).
    const message = "key" + " ".repeat(1_000_000);
    let json = { status: 0, text: "" };
    let stream = { status: 0, text: "" };
    const t0 = performance.now();
    const slowest = await slowestLiveness(async () => {
      answer("u-claude", { status: 500, errorType: "api_error", errorMessage: message });
      json = await chat("u-claude");
      answer("u-claude", { midStreamError: 1, errorMessage: "key" + " ".repeat(200_000) });
      stream = await messages("u-claude", { stream: true });
    });
    const elapsed = performance.now() - t0;
    upstream.reset();
    expect(json.status).toBeGreaterThanOrEqual(500);
    expect(json.text.length).toBeLessThan(4096); // the upstream message is relayed cut, not a megabyte
    expect(stream.status).toBe(200);
    expect(stream.text).toContain("event: error");
    expect(stream.text.length).toBeLessThan(64 * 1024);
    expect(elapsed).toBeLessThan(20_000);
    expect(slowest).toBeLessThan(2_000);
    rec.figures["upstream 500 with 1 MB 'key' + spaces: both answers / slowest /health/live (ms)"] = `${elapsed.toFixed(0)} / ${slowest.toFixed(0)}`;
    await stillServing();
    row.pass(`HTTP ${json.status} and an error event in ${elapsed.toFixed(0)} ms together; /health/live at most ${slowest.toFixed(0)} ms`);
  });
});

describe("an SSE event split by comment lines (item 5)", () => {
  it("answers upstream_response_too_large for an event past the cap however many `:` lines are between its data: lines", async () => {
    const row = rec.start(
      "2 MB SSE event with `:` comment lines between its data: lines (cap 256 KiB)",
      "502 upstream_response_too_large, not a 2 MB event decoded",
    );
    answer("broken", { rawBody: `${"data: " + "a".repeat(1000) + "\n:\n"}`.repeat(2000) + "\n" });
    const res = await chat("broken", { stream: true });
    expect(res.status).toBe(502);
    expect(errorIn(res.text).error.code).toBe("upstream_response_too_large");
    upstream.reset();
    await stillServing();
    row.pass("502 upstream_response_too_large at the 256 KiB cap");
  });
});

describe("structurally broken answers (item 7)", () => {
  const chunk = (choices: string) => `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"broken","choices":${choices}}`;
  const firstChunk = chunk('[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]');

  it("answers 502 upstream_protocol_error (never 500) for choices: [null] and other broken shapes", async () => {
    const row = rec.start(
      "broken shapes: choices [null], not an array, chunk not an object",
      "JSON and stream before the first byte: 502 upstream_protocol_error; after it: error event upstream_protocol_error, no [DONE]",
    );
    const jsonBodies = [
      '{"choices":[null]}',
      '{"choices":{"0":{}}}',
      '{"choices":[{"index":0,"message":"hi","finish_reason":"stop"}]}',
      '{"choices":[{"index":0,"message":{"role":"assistant","content":5},"finish_reason":"stop"}]}',
      "[1,2,3]",
    ];
    for (const rawBody of jsonBodies) {
      answer("broken", { rawBody });
      const res = await chat("broken");
      expect(res.status, rawBody).toBe(502);
      expect(errorIn(res.text).error, rawBody).toMatchObject({ type: "service_error", code: "upstream_protocol_error" });
    }
    const streams = [`data: ${chunk("[null]")}\n\ndata: [DONE]\n\n`, "data: 5\n\ndata: [DONE]\n\n", 'data: "text"\n\ndata: [DONE]\n\n', `data: ${chunk('"x"')}\n\ndata: [DONE]\n\n`];
    for (const rawBody of streams) {
      answer("broken", { rawBody });
      const res = await chat("broken", { stream: true });
      expect(res.status, rawBody).toBe(502);
      expect(errorIn(res.text).error.code, rawBody).toBe("upstream_protocol_error");
    }
    answer("broken", { rawBody: `data: ${firstChunk}\n\ndata: ${chunk("[null]")}\n\ndata: [DONE]\n\n` });
    const late = await chat("broken", { stream: true });
    expect(late.status).toBe(200);
    const events = dataOf(late.text);
    expect(events).not.toContain("[DONE]");
    expect(errorIn(events.at(-1)!).error).toMatchObject({ type: "service_error", code: "upstream_protocol_error" });
    upstream.reset();
    await stillServing();
    row.pass(`${jsonBodies.length} JSON and ${streams.length} stream shapes: 502 upstream_protocol_error; 1 mid-stream: error event, no [DONE]`);
  });
});

// The Responses API: OpenAI deployments are passed through (the upstream's own /v1/responses, JSON and events
// relayed), every other provider is translated from chat. Either way the upstream's answer is untrusted.
const TERMINAL = ["response.completed", "response.incomplete", "response.failed", "error"];
const responses = (model: string, extra: Record<string, unknown> = {}, key?: string) => post("/v1/responses", { model, input: "count my tokens please", ...extra }, key);

/** The stream's events: name (the `event:` line, else the data's type) and data. */
function eventsOf(text: string): Array<{ event: string | undefined; data: string }> {
  return text
    .split("\n\n")
    .filter((e) => e.trim())
    .map((e) => {
      const lines = e.split("\n");
      const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      let event = lines.find((l) => l.startsWith("event: "))?.slice(7);
      if (event === undefined) {
        try {
          event = (JSON.parse(data) as { type?: string }).type;
        } catch {
          event = undefined;
        }
      }
      return { event, data };
    });
}

/** A Responses usage as a client reads it: absent, null, or counts that are non-negative integers. */
function expectResponseUsage(usage: unknown, what: string): void {
  if (usage === undefined || usage === null) return;
  const u = usage as Record<string, unknown>;
  for (const k of ["input_tokens", "output_tokens", "total_tokens"]) expect(isCount(u[k]), `${what}: usage ${JSON.stringify(usage)}`).toBe(true);
}

/** A well-formed answer to POST /v1/responses: a response object, or an error in OpenAI's shape and never a 500. */
function expectWellFormedResponse(res: { status: number; text: string; type: string }, what: string): "answer" | "error" {
  if (res.status !== 200) {
    expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
    expect(res.status, `${what}: ${res.text.slice(0, 300)}`).not.toBe(500);
    expect(errorIn(res.text).error.type, what).toEqual(expect.any(String));
    return "error";
  }
  if (res.type.includes("text/event-stream")) {
    const events = eventsOf(res.text);
    const last = events.at(-1);
    expect(TERMINAL, `${what}: the stream ends with a terminal event, not ${JSON.stringify(res.text.slice(-300))}`).toContain(last?.event);
    const final = JSON.parse(last!.data) as { response?: { usage?: unknown } };
    if (last!.event === "error") expect(JSON.stringify(final), what).not.toMatch(/internal_error/);
    expectResponseUsage(final.response?.usage, what);
    return last!.event === "response.completed" || last!.event === "response.incomplete" ? "answer" : "error";
  }
  const json = JSON.parse(res.text) as { object?: unknown; usage?: unknown };
  expect(json.object, what).toBe("response");
  expectResponseUsage(json.usage, what);
  return "answer";
}

/** The tenant's ledger rows and its token and cost series are finite numbers, and the process never threw from telemetry. */
async function expectNumericAccounting(key: string, tenant: string): Promise<{ rows: number; series: number }> {
  const usage = await fetch(`${gw.url}/v1/usage?group_by=model`, { headers: { authorization: `Bearer ${key}` } });
  expect(usage.status).toBe(200);
  const rows = ((await usage.json()) as { data: Array<Record<string, unknown>> }).data;
  expect(rows.length).toBeGreaterThan(0);
  // A model without a price has an unknown cost (null), never a made-up one.
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (/tokens|requests|cost/.test(k) && !(/cost/.test(k) && v === null)) expect(typeof v === "number" && Number.isFinite(v) && v >= 0 && v < 1e12, `${tenant} ${k}=${String(v)}`).toBe(true);
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  const series = metrics.split("\n").filter((l) => new RegExp(`^runestone_(input|output|cached_input)_tokens_total\\{.*tenant="${tenant}"|^runestone_cost_usd_total\\{.*tenant="${tenant}"`).test(l));
  expect(series.length).toBeGreaterThan(0);
  for (const l of series) expect(Number.isFinite(Number(l.split(" ").at(-1))), l).toBe(true);
  expect(gw.stderr()).not.toMatch(/TypeError|not a valid number/);
  return { rows: rows.length, series: series.length };
}

describe("malformed usage on /v1/responses (passthrough and translated)", () => {
  // The issue's five, and two that are numbers JSON allows but no upstream means: a fraction, and one whose cost overflows to Infinity.
  const VALUES = ['"12"', "-5", "1e400", "{}", "2.5", "1.7e308"];
  const responsesUsage = [...VALUES.map((v) => `{"input_tokens":${v},"output_tokens":${v},"total_tokens":${v},"input_tokens_details":{"cached_tokens":${v}}}`), "null", '"x"'];
  const chatUsage = [...VALUES.map((v) => `{"prompt_tokens":${v},"completion_tokens":${v},"total_tokens":${v}}`), "null"];
  const anthropicUsage = [...VALUES.map((v) => `{"input_tokens":${v},"output_tokens":${v},"cache_read_input_tokens":${v}}`), "null"];

  it("answers every malformed usage (passthrough and translated, JSON and SSE) with numeric usage, stays up, and keeps the ledger and metrics numeric", async () => {
    const row = rec.start(
      "/v1/responses, malformed usage: \"12\", -5, 1e400, {}, 2.5, 1.7e308, null",
      "passthrough (OpenAI) and translated (OpenAI-compatible chat and Anthropic upstreams), JSON and SSE: each answered 200 with usage numeric or null; stored responses too; process alive; /v1/usage and /metrics numeric",
    );
    let answered = 0;
    const ids: string[] = [];
    const check = async (what: string, run: () => Promise<{ status: number; text: string; type: string }>) => {
      const res = await run();
      expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBe(200);
      expect(gw.alive(), what).toBe(true);
      expect(expectWellFormedResponse(res, what), what).toBe("answer");
      const id = res.type.includes("json") ? (JSON.parse(res.text) as { id?: string }).id : undefined;
      if (id) ids.push(id);
      answered += 1;
    };
    for (const usageJson of responsesUsage) {
      answer("r-pass", { usageJson });
      await check(`passthrough JSON ${usageJson}`, () => responses("r-pass"));
      await check(`passthrough SSE ${usageJson}`, () => responses("r-pass", { stream: true }));
    }
    for (const usageJson of chatUsage) {
      answer("r-trans", { usageJson });
      await check(`translated JSON ${usageJson}`, () => responses("r-trans"));
      await check(`translated SSE ${usageJson}`, () => responses("r-trans", { stream: true }));
    }
    for (const usageJson of anthropicUsage) {
      answer("u-claude", { usageJson });
      await check(`translated from Anthropic JSON ${usageJson}`, () => responses("u-claude"));
      await check(`translated from Anthropic SSE ${usageJson}`, () => responses("u-claude", { stream: true }));
    }
    upstream.reset();
    await stillServing();
    // What the store kept is what the client saw: a later GET reads numeric usage too.
    for (const id of ids) {
      const got = await fetch(`${gw.url}/v1/responses/${id}`, { headers: { authorization: `Bearer ${TENANT_KEY}` } });
      expect(got.status, id).toBe(200);
      expectResponseUsage(((await got.json()) as { usage?: unknown }).usage, `stored ${id}`);
    }
    const { rows, series } = await expectNumericAccounting(TENANT_KEY, "tenant-hostile");
    row.pass(`${answered} hostile answers all 200 with numeric or null usage (${ids.length} read back from the store), process alive, bystander served; ${rows} usage rows and ${series} token/cost series numeric`);
  });
});

describe("malformed, huge and cut answers on /v1/responses", () => {
  const created = '{"type":"response.created","sequence_number":0,"response":{"id":"resp_x","object":"response","status":"in_progress","output":[],"usage":null}}';
  const passthroughJson = ["null", "[1,2,3]", '"text"', "5", "{}", '{"id":5,"object":"response","created_at":"x","output":null,"usage":[]}', '{"id":"resp_1","object":"response","output":[null],"usage":{"input_tokens":"12"}}', '{"id":'];
  const passthroughStreams = [
    "data: 5\n\n",
    "data: null\n\n",
    'event: response.completed\ndata: {"type":"response.completed","response":null}\n\n',
    'event: response.completed\ndata: {"type":"response.completed","response":"x"}\n\n',
    `event: response.created\ndata: ${created}\n\nevent: response.completed\ndata: {"type":"response.completed","response":{"id":7,"usage":{"input_tokens":-5,"output_tokens":"12"}}}\n\n`,
    `event: response.created\ndata: ${created}\n\nevent: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":5}\n\n`,
    `event: response.created\ndata: ${created}\n\nevent: response.output_text.delta\ndata: {"malformed": \n\n`,
  ];
  const chatJson = ['{"choices":[null]}', "null", '{"choices":[{"index":0,"message":"hi","finish_reason":"stop"}]}'];
  const chatStreams = ["data: 5\n\ndata: [DONE]\n\n", 'data: {"choices":[null]}\n\ndata: [DONE]\n\n', 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]}\n\ndata: {"choices":[null]}\n\n'];

  it("answers broken shapes, cut and huge answers with a response or an OpenAI-shaped error (never a 500), and stays up", async () => {
    const row = rec.start(
      "/v1/responses, broken shapes, cut and 5 MB answers (passthrough and translated, JSON and SSE)",
      "each a response object, a 502 in OpenAI's shape, or a stream ending in a terminal event (response.failed / error); never a 500; process alive; accounting numeric",
    );
    const outcomes: Record<string, number> = {};
    const check = async (what: string, run: () => Promise<{ status: number; text: string; type: string }>) => {
      const res = await run();
      expect(gw.alive(), what).toBe(true);
      const outcome = expectWellFormedResponse(res, what);
      const key = `${res.status} ${outcome}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      return res;
    };
    for (const rawBody of passthroughJson) {
      answer("r-pass", { rawBody });
      await check(`passthrough JSON ${rawBody}`, () => responses("r-pass"));
    }
    for (const rawBody of passthroughStreams) {
      answer("r-pass", { rawBody });
      await check(`passthrough SSE ${JSON.stringify(rawBody)}`, () => responses("r-pass", { stream: true }));
    }
    for (const rawBody of chatJson) {
      answer("r-trans", { rawBody });
      await check(`translated JSON ${rawBody}`, () => responses("r-trans"));
    }
    for (const rawBody of chatStreams) {
      answer("r-trans", { rawBody });
      await check(`translated SSE ${JSON.stringify(rawBody)}`, () => responses("r-trans", { stream: true }));
    }
    const faults: Array<[string, MockBehavior]> = [
      ["cut after 1 chunk", { cutAfter: 1 }],
      ["malformed event 3", { malformedAt: 3 }],
      ["no final event", { omitDone: true }],
      ["5 MB answer", { hugeResponseBytes: HUGE }],
      ["5 MB SSE line", { hugeLineBytes: HUGE }],
      ["mid-stream error", { midStreamError: 1 }],
    ];
    for (const [name, behavior] of faults) {
      for (const model of ["r-pass", "r-trans"]) {
        answer(model, behavior);
        const json = await check(`${model} JSON ${name}`, () => responses(model));
        const stream = await check(`${model} SSE ${name}`, () => responses(model, { stream: true }));
        // Refused at the caps, as for chat (1 MiB answers, 256 KiB events; a stream of small events is relayed as it comes).
        if (name === "5 MB answer") expect(errorIn(json.text).error.code, `${model} JSON ${name}`).toBe("upstream_response_too_large");
        if (name === "5 MB SSE line") expect(stream.text.length, `${model} SSE ${name}`).toBeLessThan(EVENT_CAP);
        if (name === "5 MB SSE line") expect(stream.text, `${model} SSE ${name}`).toContain("upstream_response_too_large");
        if (name === "cut after 1 chunk" || name === "no final event") expect(eventsOf(stream.text).some((e) => e.event === "response.completed"), `${model} SSE ${name}`).toBe(false);
      }
    }
    upstream.reset();
    await stillServing();
    await expectNumericAccounting(TENANT_KEY, "tenant-hostile");
    row.pass(`${Object.values(outcomes).reduce((a, b) => a + b, 0)} answers: ${Object.entries(outcomes).map(([k, n]) => `${k} x${n}`).join(", ")}; 0 answered 500; process alive, bystander served`);
  });
});

describe("budgets under malformed usage", () => {
  type BudgetStatus = { scope: string; amount_usd: number; spent_usd: number; reserved_usd: number; remaining_usd: number; resets_at: number };
  /** The tenant's budget as GET /v1/usage shows it, once no request of it is in flight (reservations reconciled). */
  async function budget(): Promise<BudgetStatus> {
    let b: BudgetStatus | undefined;
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${gw.url}/v1/usage?group_by=none`, { headers: { authorization: `Bearer ${BUDGET_KEY}` } });
      expect(res.status).toBe(200);
      b = ((await res.json()) as { budgets?: BudgetStatus[] }).budgets?.find((x) => x.scope === "tenant");
      expect(b, "GET /v1/usage shows the tenant's budget").toBeDefined();
      for (const k of ["amount_usd", "spent_usd", "reserved_usd", "remaining_usd"] as const) expect(typeof b![k] === "number" && Number.isFinite(b![k]) && b![k] >= 0, `${k}=${String(b![k])}`).toBe(true);
      if (b!.reserved_usd === 0) return b!;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`a reservation was never reconciled: ${JSON.stringify(b)}`);
  }

  const scenario = (mode: string) =>
    rec.start(
      `budgeted tenant (${mode}), upstream usage "12", -5, 1e400, {}, 2.5, 1.7e308, null (chat, Messages, Responses passthrough and translated; JSON and SSE)`,
      "every request admitted (200); GET /v1/usage: spent / reserved / remaining finite, spent grows by estimates only, reservations reconciled to 0; then one honest answer past the budget: the next request 429 insufficient_quota budget_exceeded with Retry-After",
    );

  it("keeps the budget finite and sane: still admitting after malformed usage, still refusing once honestly spent", async () => {
    const row = scenario("embedded");
    row.pass(await malformedUsageAgainstBudget());
  });

  it("does the same with its budget counted in Redis (the atomic scripts get only whole nano-dollars)", async () => {
    const row = scenario("Redis");
    const redis = await startRedis();
    const embedded = gw;
    try {
      const port = await freePort();
      gw = await spawnGateway(writeConfig(yaml(upstream.url, port, `{ redis_url: "${redis.url}", redis_prefix: "rel-hostile-budget:" }`)), port, { LOG_LEVEL: "warn" });
      row.pass(await malformedUsageAgainstBudget());
    } finally {
      await gw.stop();
      gw = embedded;
      await redis.stop();
    }
  }, 120_000);

  /** The scenario against `gw`; answers what it observed. */
  async function malformedUsageAgainstBudget(): Promise<string> {
    const VALUES = ['"12"', "-5", "1e400", "{}", "2.5", "1.7e308"];
    const chatUsage = [...VALUES.map((v) => `{"prompt_tokens":${v},"completion_tokens":${v},"total_tokens":${v}}`), "null"];
    const responsesUsage = [...VALUES.map((v) => `{"input_tokens":${v},"output_tokens":${v},"total_tokens":${v}}`), "null"];
    const start = await budget();
    expect(start.spent_usd).toBe(0);
    let admitted = 0;
    const ok = async (what: string, run: () => Promise<{ status: number; text: string }>) => {
      const res = await run();
      expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBe(200);
      admitted += 1;
    };
    let last = start;
    for (const [i, usageJson] of chatUsage.entries()) {
      upstream.reset();
      upstream.behave({ usageJson }, { model: "u-chat" });
      upstream.behave({ usageJson }, { model: "r-trans" });
      upstream.behave({ usageJson: responsesUsage[i]! }, { model: "r-pass" });
      await ok(`chat JSON ${usageJson}`, () => chat("u-chat", {}, BUDGET_KEY));
      await ok(`chat SSE ${usageJson}`, () => chat("u-chat", { stream: true, stream_options: { include_usage: true } }, BUDGET_KEY));
      await ok(`messages ${usageJson}`, () => post("/v1/messages", { model: "u-chat", max_tokens: 50, messages: [{ role: "user", content: "count my tokens please" }] }, BUDGET_KEY));
      await ok(`responses passthrough JSON ${responsesUsage[i]}`, () => responses("r-pass", {}, BUDGET_KEY));
      await ok(`responses passthrough SSE ${responsesUsage[i]}`, () => responses("r-pass", { stream: true }, BUDGET_KEY));
      await ok(`responses translated JSON ${usageJson}`, () => responses("r-trans", {}, BUDGET_KEY));
      await ok(`responses translated SSE ${usageJson}`, () => responses("r-trans", { stream: true }, BUDGET_KEY));
      const now = await budget();
      // Each answer is priced from the estimate (a few words at $1-2 per 1M tokens): never a jump, never a drop.
      expect(now.spent_usd, `after ${usageJson}`).toBeGreaterThanOrEqual(last.spent_usd);
      expect(now.spent_usd - last.spent_usd, `after ${usageJson}`).toBeLessThan(0.01);
      expect(now.remaining_usd, `after ${usageJson}`).toBeCloseTo(now.amount_usd - now.spent_usd, 9);
      last = now;
    }
    expect(last.spent_usd).toBeGreaterThan(0);
    // One honest answer of 400 000 tokens ($0.60) spends the $0.50 budget: refusals still work.
    answer("u-chat", { usage: { prompt_tokens: 200_000, completion_tokens: 200_000 } });
    await ok("honest chat", () => chat("u-chat", {}, BUDGET_KEY));
    const spent = await budget();
    expect(spent.spent_usd).toBeGreaterThanOrEqual(BUDGET_USD);
    expect(spent.spent_usd).toBeLessThan(BUDGET_USD + 1);
    expect(spent.remaining_usd).toBe(0);
    for (const run of [() => chat("u-chat", {}, BUDGET_KEY), () => responses("r-pass", {}, BUDGET_KEY), () => responses("r-trans", { stream: true }, BUDGET_KEY)]) {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${BUDGET_KEY}` },
        body: JSON.stringify({ model: "u-chat", messages: [{ role: "user", content: "one more" }] }),
      });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: unknown }).error).toMatchObject({ type: "insufficient_quota", code: "budget_exceeded" });
      const other = await run();
      expect(other.status).toBe(429);
      expect(errorIn(other.text).error).toMatchObject({ type: "insufficient_quota", code: "budget_exceeded" });
    }
    upstream.reset();
    await stillServing();
    return `${admitted} requests admitted; spent $${last.spent_usd.toFixed(6)} after the malformed ones (finite, reserved 0), $${spent.spent_usd.toFixed(2)} of $${BUDGET_USD} after the honest one; then 429 budget_exceeded with Retry-After on chat and Responses`;
  }
});

describe("the response cache and malformed answers", () => {
  const cacheHeader = async (content: string, stream: boolean) => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${CACHE_KEY}` },
      body: JSON.stringify({ model: "broken", messages: [{ role: "user", content }], ...(stream ? { stream: true } : {}) }),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, cache: res.headers.get("x-runestone-cache"), text: await res.text() };
  };
  const late = '{"id":"c","object":"chat.completion.chunk","created":1,"model":"broken","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]}';

  it("never stores a malformed, cut or huge answer: the same request goes upstream again, and the next honest answer is stored", async () => {
    const row = rec.start(
      "response cache (tenant TTL 600 s) with broken, cut, malformed and huge upstream answers, JSON and SSE",
      "the hostile answer is an error (502, or a stream error event without [DONE]); the identical request after it is a miss that reaches the upstream; the one after that a hit; a malformed-usage answer, if replayed, shows numeric usage",
    );
    const cases: Array<[string, boolean, MockBehavior]> = [
      ["choices [null]", false, { rawBody: '{"choices":[null]}' }],
      ["JSON null", false, { rawBody: "null" }],
      ["JSON cut in half", false, { cutAfter: 1 }],
      ["5 MB JSON", false, { hugeResponseBytes: HUGE }],
      ["stream cut after 1 chunk", true, { cutAfter: 1 }],
      ["malformed chunk 2", true, { malformedAt: 2 }],
      ["mid-stream error", true, { midStreamError: 1 }],
      ["choices [null] after the first chunk", true, { rawBody: `data: ${late}\n\ndata: {"choices":[null]}\n\ndata: [DONE]\n\n` }],
      ["5 MB SSE line", true, { hugeLineBytes: HUGE }],
      ["stream without [DONE]", true, { omitDone: true }],
    ];
    const seen: string[] = [];
    for (const [i, [name, stream, behavior]] of cases.entries()) {
      const content = `cache case ${i}: ${name}`;
      answer("broken", behavior); // every attempt (a protocol error is retried)
      const hostile = await cacheHeader(content, stream);
      if (stream && hostile.status === 200) expect(dataOf(hostile.text), name).not.toContain("[DONE]");
      else expect(hostile.status, `${name}: ${hostile.text.slice(0, 200)}`).toBe(502);
      expect(hostile.cache, name).toBe("miss");
      upstream.reset(); // honest answers from here on
      const calls = 0;
      const again = await cacheHeader(content, stream);
      expect(again.status, name).toBe(200);
      expect(again.cache, `${name}: the second request is not a hit`).toBe("miss");
      expect(upstreamRequestsFor(upstream, "broken").length, `${name}: the second request goes upstream`).toBe(calls + 1);
      const third = await cacheHeader(content, stream);
      expect(third.cache, `${name}: the honest answer is stored`).toBe("hit");
      expect(upstreamRequestsFor(upstream, "broken").length, name).toBe(calls + 1);
      seen.push(`${name}: ${hostile.status}${stream && hostile.status === 200 ? " + error event" : ""}, miss, hit`);
    }
    // An answer whose usage is malformed has good content: stored or not, what a replay shows is numeric.
    for (const stream of [false, true]) {
      const content = `cache usage ${stream}`;
      upstream.reset();
      upstream.behave({ usageJson: '{"prompt_tokens":"12","completion_tokens":1e400}' }, { model: "broken", times: 1 });
      expect((await cacheHeader(content, stream)).status).toBe(200);
      const again = await cacheHeader(content, stream);
      expect(again.status).toBe(200);
      const usages = stream ? dataOf(again.text).filter((d) => d !== "[DONE]").map((d) => (JSON.parse(d) as { usage?: unknown }).usage) : [(JSON.parse(again.text) as { usage?: unknown }).usage];
      for (const u of usages) if (u) for (const k of ["prompt_tokens", "completion_tokens", "total_tokens"]) expect(isCount((u as Record<string, unknown>)[k]), JSON.stringify(u)).toBe(true);
      seen.push(`malformed usage (${stream ? "SSE" : "JSON"}): second answer ${again.cache}`);
    }
    upstream.reset();
    await expectNumericAccounting(CACHE_KEY, "tenant-cache");
    await stillServing();
    row.pass(seen.join("; "));
  });
});

describe("a passthrough answer's output, replayed by previous_response_id", () => {
  const items = [
    '{"type":"message","role":"assistant","content":5}',
    '{"type":"message","role":"assistant","content":[null]}',
    '{"type":"message","role":"user","content":{}}',
    '{"type":"message","role":"user","content":[{"type":"output_text","text":5}]}',
    '{"type":"message","role":"user","content":[7]}',
    '{"type":"function_call","call_id":5,"name":"f","arguments":{}}',
    '{"type":"function_call_output","call_id":"c","output":[null]}',
    '{"type":"function_call_output","call_id":"c","output":{"x":1}}',
    '{"type":"reasoning","encrypted_content":5,"summary":null}',
    '{"type":"message","role":"__proto__","content":"x"}',
  ];
  const body = (id: string, item: string) => `{"id":"${id}","object":"response","status":"completed","output":[${item}],"usage":{"input_tokens":1,"output_tokens":1,"total_tokens":2}}`;

  it("never answers 500 when a stored upstream answer with malformed output items is continued on a translated model", async () => {
    const row = rec.start(
      "/v1/responses: an OpenAI answer with malformed output items, stored, then continued with previous_response_id on a translated model (JSON and SSE)",
      "the first answer a response or an error; the continuation a response or a 4xx/502 in OpenAI's shape, never a 500; process alive",
    );
    const outcomes: Record<string, number> = {};
    const count = (k: string) => (outcomes[k] = (outcomes[k] ?? 0) + 1);
    for (const [i, item] of items.entries()) {
      for (const stream of [false, true]) {
        const id = `resp_hostile_${i}_${stream}`;
        const raw = body(id, item);
        answer("r-pass", { rawBody: stream ? `event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"${id}","object":"response","status":"in_progress","output":[],"usage":null}}\n\nevent: response.completed\ndata: {"type":"response.completed","sequence_number":1,"response":${raw}}\n\n` : raw });
        const first = await responses("r-pass", stream ? { stream: true } : {});
        const outcome = expectWellFormedResponse(first, `first ${item} ${stream}`);
        count(`first ${first.status} ${outcome}`);
        upstream.reset();
        const next = await responses("r-trans", { previous_response_id: id });
        expect(gw.alive()).toBe(true);
        expectWellFormedResponse(next, `continued ${item} ${stream} (first ${first.status} ${outcome})`);
        count(`continued ${next.status}`);
      }
    }
    upstream.reset();
    await stillServing();
    row.pass(`${items.length} item shapes x JSON/SSE: ${Object.entries(outcomes).map(([k, n]) => `${k} x${n}`).join(", ")}`);
  });
});

describe("Anthropic-native answers on the passthrough (count_tokens, Messages)", () => {
  const count = (model: string) => post("/v1/messages/count_tokens", { model, messages: [{ role: "user", content: "count my tokens please" }] });
  const bodies = ["null", "[1]", '"x"', "{}", '{"input_tokens":"12"}', '{"input_tokens":-5}', '{"input_tokens":1e400}', '{"input_tokens":{}}', '{"id":"msg_1","type":"message","content":null,"usage":{"input_tokens":"12"}}', '{"id":"msg_1","type":"message","role":"assistant","content":[null],"stop_reason":"end_turn","usage":null}', '{"id":'];

  it("answers count_tokens with a count or an error, and /v1/messages with a message or an error, never a 500", async () => {
    const row = rec.start(
      "Anthropic passthrough answers that are null, lists, strings, broken counts or cut (count_tokens and /v1/messages)",
      "count_tokens: 200 with input_tokens a non-negative integer, or an error in Anthropic's shape (never 500); /v1/messages: never 500; process alive",
    );
    const outcomes: Record<string, number> = {};
    const tally = (k: string) => (outcomes[k] = (outcomes[k] ?? 0) + 1);
    /** Every answer that broke the promise, listed together so one run shows them all. */
    const broken: string[] = [];
    const parsed = (text: string): Record<string, unknown> | undefined => {
      try {
        const v = JSON.parse(text) as unknown;
        return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
      } catch {
        return undefined;
      }
    };
    const isAnthropicError = (text: string) => parsed(text)?.type === "error" && typeof (parsed(text)?.error as { type?: unknown } | undefined)?.type === "string";
    for (const rawBody of bodies) {
      answer("u-claude", { rawBody });
      const counted = await count("u-claude");
      expect(gw.alive()).toBe(true);
      const countOk = counted.status === 200 ? isCount(parsed(counted.text)?.input_tokens) : counted.status !== 500 && isAnthropicError(counted.text);
      if (!countOk) broken.push(`count_tokens <- ${rawBody}: ${counted.status} ${counted.text.slice(0, 160)}`);
      tally(`count_tokens ${counted.status}`);
      const message = await messages("u-claude");
      expect(gw.alive()).toBe(true);
      const messageOk = message.status === 200 ? parsed(message.text)?.type === "message" : message.status !== 500 && isAnthropicError(message.text);
      if (!messageOk) broken.push(`messages <- ${rawBody}: ${message.status} ${message.text.slice(0, 160)}`);
      tally(`messages ${message.status}`);
    }
    // The Messages passthrough stream: events relayed as they come, read for accounting on the way.
    const ev = (type: string, data: string) => `event: ${type}\ndata: ${data}\n\n`;
    const stop = ev("message_stop", '{"type":"message_stop"}');
    const streams = [
      ev("message_start", '{"type":"message_start","message":null}') + stop,
      ev("message_start", '{"type":"message_start","message":{"id":"m","usage":null}}') + ev("message_delta", '{"type":"message_delta","delta":null,"usage":null}') + stop,
      ev("message_start", '{"type":"message_start","message":{"id":"m","usage":{"input_tokens":"12"}}}') + ev("content_block_delta", '{"type":"content_block_delta","index":"x","delta":{"type":"text_delta","text":5}}') + ev("message_delta", '{"type":"message_delta","usage":{"output_tokens":1e400}}') + stop,
      ev("message_start", "5") + ev("message_delta", "null") + stop,
      ev("content_block_delta", '{"type":"content_block_delta","delta":null}') + stop,
      "data: [1,2]\n\n" + stop,
    ];
    for (const rawBody of streams) {
      answer("u-claude", { rawBody });
      const res = await messages("u-claude", { stream: true });
      expect(gw.alive()).toBe(true);
      const ok = res.status === 200 ? /event: (message_stop|error)/.test(res.text) : res.status !== 500 && isAnthropicError(res.text);
      if (!ok || /internal_error|hit an internal error/.test(res.text)) broken.push(`messages stream <- ${JSON.stringify(rawBody).slice(0, 160)}: ${res.status} ${res.text.slice(-200)}`);
      tally(`messages stream ${res.status}`);
    }
    expect(broken).toEqual([]);
    upstream.reset();
    await stillServing();
    row.pass(`${bodies.length} hostile answers and ${streams.length} hostile streams: ${Object.entries(outcomes).map(([k, n]) => `${k} x${n}`).join(", ")}`);
  });
});

describe("queued /v1/responses jobs with hostile upstream answers", () => {
  /** Holds the queue tenant's only slot with a chat request its upstream never answers, until released. */
  async function holdSlot(): Promise<() => void> {
    upstream.behave({ stall: "before-headers" }, { model: "hold" });
    const abort = new AbortController();
    void fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${QUEUE_KEY}` },
      body: JSON.stringify({ model: "hold", messages: [{ role: "user", content: "hold the slot" }] }),
      signal: abort.signal,
    }).catch(() => undefined);
    await upstream.waitFor((r) => r.some((x) => (x.body as { model?: string } | undefined)?.model === "hold"), 5_000);
    return () => abort.abort();
  }

  async function jobOutcome(behavior: MockBehavior): Promise<{ status: string; error?: { code?: string; type?: string }; response?: { usage?: unknown } }> {
    upstream.reset();
    const release = await holdSlot();
    upstream.behave(behavior, { model: "r-pass" });
    const queued = await post("/v1/responses", { model: "r-pass", input: "count my tokens please" }, QUEUE_KEY);
    expect(queued.status, queued.text).toBe(202);
    const jobId = (JSON.parse(queued.text) as { job_id: string }).job_id;
    release();
    const until = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(`${gw.url}/v1/jobs/${jobId}`, { headers: { authorization: `Bearer ${QUEUE_KEY}` } });
      expect(res.status).toBe(200);
      const job = (await res.json()) as { status: string; error?: { code?: string; type?: string }; response?: { usage?: unknown } };
      if (!["queued", "running"].includes(job.status)) return job;
      if (Date.now() > until) throw new Error(`job ${jobId} still ${job.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("fails a queued job whose passthrough answer is broken with upstream_protocol_error, and keeps a malformed usage out of its response and the ledger", async () => {
    const row = rec.start(
      "queued /v1/responses (202) whose upstream answers null, unusable output items, or usage \"12\" / 1e400",
      "broken answers: job failed, error upstream_protocol_error (never internal_error); malformed usage: job succeeded, its response's usage numeric or null; ledger numeric; process alive",
    );
    const seen: string[] = [];
    for (const rawBody of ["null", '{"id":"resp_q","object":"response","output":[{"type":"message","content":5}]}']) {
      const job = await jobOutcome({ rawBody });
      expect(job.status, rawBody).toBe("failed");
      expect(job.error?.code, rawBody).toBe("upstream_protocol_error");
      seen.push(`${rawBody.slice(0, 24)}: failed ${job.error?.code}`);
    }
    for (const usageJson of ['{"input_tokens":"12","output_tokens":"12","total_tokens":"12"}', '{"input_tokens":1e400,"output_tokens":1,"total_tokens":1}']) {
      const job = await jobOutcome({ usageJson });
      expect(job.status, usageJson).toBe("succeeded");
      expectResponseUsage(job.response?.usage, `job ${usageJson}`);
      seen.push(`usage ${usageJson.slice(0, 24)}: succeeded, usage ${JSON.stringify(job.response?.usage ?? null).slice(0, 40)}`);
    }
    upstream.reset();
    expect(gw.alive()).toBe(true);
    await expectNumericAccounting(QUEUE_KEY, "tenant-queue");
    await stillServing();
    row.pass(seen.join("; "));
  }, 120_000);
});
