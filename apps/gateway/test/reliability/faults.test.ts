// Reliability, part 1: the fault catalogue. Every fault the mock upstream can produce, plus a slow-loris
// client and an unresolvable provider host, each with the safe outcome it must have, asserted on
// both sides (what the client saw, what reached the upstream). Results go to results/ (results.ts).
// Overlaps test/resilience-faults.test.ts on purpose: this file is the catalogue that publishes figures.
import { connect } from "node:net";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load";
import { startGateway, type RunningGateway } from "../../src/server";
import { createLogger } from "../../src/telemetry/logger";
import { errorOf, fallbackPair, LogCapture, postJson, readSse, tempSqlitePath, upstreamRequestsFor } from "../harness";
import { freePort } from "../redis-server";
import { recordResilienceEvents } from "../resilience-events";
import { SectionRecorder } from "./results";

const TENANT_KEY = "sk-rel-faults-tenant-0123456789";
const UPSTREAM_KEY = "sk-rel-faults-upstream-secret-abcdef";
const MISCONFIGURED_KEY = "sk-rel-faults-wrong-key-abcdef";
const TIMEOUTS = "timeouts: { connect_ms: 1000, first_byte_ms: 1000, idle_ms: 1000, total_ms: 20000 }";
const HEADERS_TIMEOUT_MS = 1000;

function configYaml(url: string, deadPort: number): string {
  return `
server: { host: 127.0.0.1, port: 0, request_timeout_ms: 20000, headers_timeout_ms: ${HEADERS_TIMEOUT_MS}, shutdown_grace_ms: 1000 }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 2, backoff_base_ms: 20, backoff_max_ms: 200, max_retry_after_ms: 1500 }
  breaker: { consecutive_failures: 3, minimum_requests: 50, failure_rate: 0.9, window_ms: 10000, open_ms: 700 }
providers:
  primary: { type: openai, base_url: "${url}/v1", api_key: ${UPSTREAM_KEY}, ${TIMEOUTS} }
  backup: { type: openai-compatible, base_url: "${url}/v1", api_key: sk-rel-faults-backup-abcdef, ${TIMEOUTS} }
  dead: { type: openai, base_url: "http://127.0.0.1:${deadPort}/v1", api_key: sk-rel-dead-abcdef, ${TIMEOUTS} }
  nowhere: { type: openai, base_url: "http://runestone-reliability.invalid/v1", api_key: sk-rel-nowhere-abcdef, ${TIMEOUTS} }
  misconfigured: { type: openai, base_url: "${url}/v1", api_key: ${MISCONFIGURED_KEY}, ${TIMEOUTS} }
models:
  ra: { deployments: [{ provider: primary, model: ra }] }
  ra-cap: { deployments: [{ provider: primary, model: ra-cap }] }
  burst: { deployments: ${fallbackPair("burst")} }
  burst-solo: { deployments: [{ provider: primary, model: burst-solo }] }
  over: { deployments: [{ provider: primary, model: over }] }
  over-duo: { deployments: ${fallbackPair("over-duo")} }
  refused: { deployments: ${fallbackPair("refused", "dead")} }
  refused-solo: { deployments: [{ provider: dead, model: refused-solo }] }
  nodns: { deployments: ${fallbackPair("nodns", "nowhere")} }
  nodns-solo: { deployments: [{ provider: nowhere, model: nodns-solo }] }
  stall-first: { deployments: ${fallbackPair("stall-first")} }
  stall-first-solo: { deployments: [{ provider: primary, model: stall-first-solo }] }
  stall-mid: { deployments: ${fallbackPair("stall-mid")} }
  cut: { deployments: ${fallbackPair("cut")} }
  malformed: { deployments: ${fallbackPair("malformed")} }
  nodone: { deployments: ${fallbackPair("nodone")} }
  huge: { deployments: [{ provider: primary, model: huge }] }
  ctx: { deployments: ${fallbackPair("ctx")} }
  auth: { deployments: ${fallbackPair("auth", "misconfigured")} }
tenants:
  - { id: tenant-faults, keys: [${TENANT_KEY}] }
`;
}

const rec = new SectionRecorder("faults", "a-catalogue");
const logs = new LogCapture();
const seen = recordResilienceEvents();
let upstream: MockUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const { config } = parseConfig(configYaml(upstream.url, await freePort()), {});
  gateway = await startGateway({ config, logger: createLogger("info", logs), validateResponses: true, events: seen.events });
});

afterAll(async () => {
  rec.write();
  await gateway?.close();
  await upstream?.close();
});

const ask = (model: string, extra: Record<string, unknown> = {}) =>
  postJson(`${gateway.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "hello there" }], ...extra }, { authorization: `Bearer ${TENANT_KEY}` });
const sentTo = (upstreamModel: string) => upstreamRequestsFor(upstream, upstreamModel);
const { breakerStates } = seen;
const parsed = (events: string[]) => events.filter((e) => e !== "[DONE]").map((e) => JSON.parse(e) as { choices?: Array<{ delta?: { content?: string } }>; error?: { type: string; code: string; message: string } });

describe("upstream errors", () => {
  it("waits out a short Retry-After and retries, and passes a long one on to the client as 429 with Retry-After", async () => {
    const row = rec.start("429 with Retry-After", "Retry-After <= cap: waited, retried, 200; longer with no other deployment: 429 + Retry-After to the client, 1 upstream call");
    upstream.behave({ status: 429, retryAfter: 1 }, { times: 1, model: "ra" });
    const ok = await ask("ra");
    expect(ok.status).toBe(200);
    const [a, b] = sentTo("ra");
    const waited = b!.receivedAt - a!.receivedAt;
    expect(waited).toBeGreaterThanOrEqual(990);

    upstream.behave({ status: 429, retryAfter: 30 }, { times: 1, model: "ra-cap" });
    const limited = await ask("ra-cap");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("30");
    expect((await errorOf(limited)).type).toBe("rate_limit_error");
    expect(sentTo("ra-cap")).toHaveLength(1);
    row.pass(`retry after ${waited} ms -> 200; Retry-After: 30 -> client 429, retry-after 30, 1 call`);
  });

  it("rides out a burst of 500s: retries a lone deployment, falls back from a pair and opens its breaker", async () => {
    const row = rec.start("burst of 500s", "lone deployment: retried with backoff until 200; pair: every request 200 via backup, primary breaker opens after 3, then skipped");
    upstream.behave({ status: 500 }, { times: 2, model: "burst-solo" });
    expect((await ask("burst-solo")).status).toBe(200);
    expect(sentTo("burst-solo")).toHaveLength(3);

    upstream.behave({ status: 500 }, { times: 1000, model: "burst-p" });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await ask("burst", { stream: i % 2 === 1 });
      statuses.push(res.status);
      expect(res.headers.get("x-runestone-provider")).toBe("backup");
      await res.text();
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(breakerStates("burst-p")).toEqual(["open"]);
    expect(sentTo("burst-p")).toHaveLength(3);
    row.pass(`lone: 2 x 500 then 200 (3 calls); pair: 8/8 answered 200 by backup, primary called 3 times then skipped (breaker open)`);
  });

  it("answers 503 overloaded_error when the only deployment stays overloaded, and falls back when there is another", async () => {
    const row = rec.start("503 overloaded", "lone deployment overloaded through every retry: 503 overloaded_error; pair: 200 via backup");
    upstream.behave({ status: 503 }, { times: 3, model: "over" });
    const res = await ask("over");
    expect(res.status).toBe(503);
    expect((await errorOf(res)).type).toBe("overloaded_error");
    expect(sentTo("over")).toHaveLength(3);
    upstream.behave({ status: 503 }, { times: 1, model: "over-duo-p" });
    const duo = await ask("over-duo");
    expect(duo.status).toBe(200);
    expect(duo.headers.get("x-runestone-provider")).toBe("backup");
    row.pass("lone: 503 overloaded_error after 3 calls; pair: 200 from backup");
  });

  it("falls back when nothing listens at the first provider, and answers 502 upstream_unreachable when none is left", async () => {
    const row = rec.start("connection refused", "pair: 200 via backup; lone: 502 upstream_unreachable after its retries");
    const res = await ask("refused");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect(seen.attempts.find((a) => a.upstreamModel === "refused-p")).toMatchObject({ ok: false, errorKind: "connection" });
    const solo = await ask("refused-solo");
    expect(solo.status).toBe(502);
    expect((await errorOf(solo)).code).toBe("upstream_unreachable");
    row.pass("pair: 200 from backup; lone: 502 upstream_unreachable");
  });

  it("treats a provider host that never resolves (.invalid) as unreachable: fallback, else a clear 502", async () => {
    const row = rec.start("unresolvable base URL (runestone-reliability.invalid)", "pair: 200 via backup; lone: 502 upstream_unreachable naming the provider, never its key");
    const res = await ask("nodns");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    const t0 = performance.now();
    const solo = await ask("nodns-solo");
    const ms = Math.round(performance.now() - t0);
    expect(solo.status).toBe(502);
    const err = await errorOf(solo);
    expect(err.code).toBe("upstream_unreachable");
    expect(err.message).toContain("nowhere");
    expect(err.message).not.toContain("sk-rel-nowhere");
    row.pass(`pair: 200 from backup; lone: 502 upstream_unreachable in ${ms} ms ("${err.message}")`);
  });

  it("stops at an upstream 400 for context length: the client gets it, with no retry and no fallback", async () => {
    const row = rec.start("upstream 400 context_length_exceeded", "400 with code context_length_exceeded to the client; 1 upstream call, backup never called, breaker untouched");
    upstream.behave({ status: 400 }, { times: 1, model: "ctx-p" });
    const res = await ask("ctx");
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err).toMatchObject({ type: "invalid_request_error", code: "context_length_exceeded" });
    expect(sentTo("ctx-p")).toHaveLength(1);
    expect(sentTo("ctx-b")).toHaveLength(0);
    expect(breakerStates("ctx-p")).toEqual([]);
    row.pass("400 context_length_exceeded, 1 call, 0 to backup");
  });

  it("answers a misconfigured upstream key (401) with a clear 502, one upstream call per request and no fallback storm", async () => {
    const row = rec.start("upstream 401 (misconfigured key)", "502 upstream_auth_failed saying to check the key, never the key itself; exactly 1 upstream call per request, no retry, no fallback");
    upstream.behave({ status: 401 }, { model: "auth-p" });
    const n = 10;
    let err: { message: string; code: string | null } | undefined;
    for (let i = 0; i < n; i++) {
      const res = await ask("auth", { stream: i % 2 === 1 });
      expect(res.status).toBe(502);
      err = await errorOf(res);
      expect(err.code).toBe("upstream_auth_failed");
      expect(err.message).toMatch(/check the provider's API key/);
      expect(err.message).not.toContain(MISCONFIGURED_KEY);
    }
    expect(sentTo("auth-p")).toHaveLength(n);
    expect(sentTo("auth-b")).toHaveLength(0);
    expect(seen.retries.filter((r) => r.model === "auth")).toHaveLength(0);
    row.pass(`${n} requests -> ${n} x 502 upstream_auth_failed, ${sentTo("auth-p").length} upstream calls, 0 retries, 0 fallbacks`);
  });
});

describe("stalls and broken streams", () => {
  it("falls back from an upstream that never sends headers, aborting it, and answers 504 when none is left", async () => {
    const row = rec.start("stall before headers", "pair: 200 via backup, the stalled call aborted; lone: 504 upstream_timeout after first_byte_ms");
    upstream.behave({ stall: "before-headers" }, { times: 1, model: "stall-first-p" });
    const res = await ask("stall-first", { stream: true });
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect((await readSse(res)).at(-1)).toBe("[DONE]");
    await upstream.waitFor(() => sentTo("stall-first-p")[0]?.clientClosedAt !== undefined);
    upstream.behave({ stall: "before-headers" }, { model: "stall-first-solo" });
    const solo = await ask("stall-first-solo");
    expect(solo.status).toBe(504);
    expect((await errorOf(solo)).code).toBe("upstream_timeout");
    await upstream.waitFor(() => sentTo("stall-first-solo").every((r) => r.clientClosedAt !== undefined));
    row.pass(`pair: stream from backup ending [DONE], stalled call aborted; lone: 504 upstream_timeout (${sentTo("stall-first-solo").length} call, timeouts are not retried)`);
  });

  it("ends a stream that stalls after its first content with an error event, no [DONE], and aborts the upstream", async () => {
    const row = rec.start("stall mid-stream", "content so far, then an upstream_timeout error event, no [DONE]; upstream aborted; no fallback after the first byte");
    upstream.behave({ stall: "mid-stream" }, { times: 1, model: "stall-mid-p" });
    const events = await readSse(await ask("stall-mid", { stream: true }));
    expect(events).not.toContain("[DONE]");
    expect(parsed(events).at(-1)!.error).toMatchObject({ code: "upstream_timeout" });
    await upstream.waitFor(() => sentTo("stall-mid-p")[0]?.clientClosedAt !== undefined);
    expect(sentTo("stall-mid-b")).toHaveLength(0);
    row.pass(`${events.length - 1} chunks, then error upstream_timeout; upstream aborted; backup not called`);
  });

  it("reports a stream cut at chunk k as an error event after exactly the k chunks received, never as success", async () => {
    const row = rec.start("stream cut at chunk k (k = 3)", "the 3 content chunks, then a service_error event, no [DONE]; no fallback after the first byte");
    upstream.behave({ cutAfter: 3, chunks: 8 }, { times: 1, model: "cut-p" });
    const events = parsed(await readSse(await ask("cut", { stream: true, messages: [{ role: "user", content: "one two three four five six seven" }] })));
    const content = events.filter((e) => e.choices?.[0]?.delta?.content);
    expect(content).toHaveLength(3);
    expect(events.at(-1)!.error?.type).toBe("service_error");
    expect(sentTo("cut-b")).toHaveLength(0);
    row.pass(`3 content chunks then error ${events.at(-1)!.error!.code}; no [DONE]`);
  });

  it("falls back from a malformed first chunk, and ends the stream with a protocol error when a later one is malformed", async () => {
    const row = rec.start("malformed chunk", "malformed first event: fallback, client sees only the backup's clean stream; malformed later: upstream_protocol_error event, no [DONE]");
    upstream.behave({ malformedAt: 1 }, { times: 1, model: "malformed-p" });
    const first = await ask("malformed", { stream: true });
    expect(first.headers.get("x-runestone-provider")).toBe("backup");
    expect((await readSse(first)).at(-1)).toBe("[DONE]");
    upstream.behave({ malformedAt: 3 }, { times: 1, model: "malformed-p" });
    const later = await readSse(await ask("malformed", { stream: true }));
    expect(later).not.toContain("[DONE]");
    expect(parsed(later).at(-1)!.error).toMatchObject({ code: "upstream_protocol_error" });
    row.pass("at event 1: 200 from backup ending [DONE]; at event 3: error upstream_protocol_error, no [DONE]");
  });

  it("treats a stream that ends without [DONE] as cut: an error event, never a silent success", async () => {
    const row = rec.start("missing [DONE]", "the content, then an upstream_protocol_error event, and no [DONE] to the client");
    upstream.behave({ omitDone: true }, { times: 1, model: "nodone-p" });
    const events = await readSse(await ask("nodone", { stream: true }));
    expect(events).not.toContain("[DONE]");
    const last = parsed(events).at(-1)!;
    expect(last.error).toMatchObject({ code: "upstream_protocol_error" });
    expect(last.error!.message).toMatch(/\[DONE\]/);
    row.pass(`error "${last.error!.message}"`);
  });

  it("passes a 5 MB answer through, JSON and streamed, with memory bounded", async () => {
    const row = rec.start("huge response (5 MB)", "JSON and stream both complete with the whole content; test-process RSS grows < 300 MB");
    const bytes = 5_000_000;
    const rss0 = process.memoryUsage().rss;
    upstream.behave({ hugeResponseBytes: bytes }, { times: 2, model: "huge" });
    const json = await ask("huge");
    expect(json.status).toBe(200);
    const body = (await json.json()) as { choices: Array<{ message: { content: string } }> };
    const jsonLen = body.choices[0]!.message.content.length;
    expect(jsonLen).toBeGreaterThanOrEqual(bytes * 0.95);
    const events = await readSse(await ask("huge", { stream: true }));
    expect(events.at(-1)).toBe("[DONE]");
    const streamed = parsed(events).reduce((n, e) => n + (e.choices?.[0]?.delta?.content?.length ?? 0), 0);
    expect(streamed).toBeGreaterThanOrEqual(bytes * 0.95);
    const grewMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
    expect(grewMb).toBeLessThan(300);
    row.pass(`JSON ${(jsonLen / 1e6).toFixed(1)} MB, stream ${(streamed / 1e6).toFixed(1)} MB in ${events.length} events; RSS +${Math.max(0, grewMb).toFixed(0)} MB (mock, gateway and test share the process)`);
  });
});

describe("misbehaving clients", () => {
  /** Opens a socket that sends a request line and then one header byte every `everyMs`, never finishing. */
  function loris(everyMs: number): Promise<{ closedAfterMs: number; answer: string }> {
    return new Promise((resolve) => {
      const t0 = performance.now();
      const socket = connect(gateway.port, "127.0.0.1");
      let answer = "";
      let timer: NodeJS.Timeout | undefined;
      socket.on("connect", () => {
        socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        timer = setInterval(() => socket.write("a"), everyMs);
      });
      socket.on("data", (b) => (answer += b.toString()));
      socket.on("error", () => undefined);
      socket.on("close", () => {
        clearInterval(timer);
        resolve({ closedAfterMs: performance.now() - t0, answer });
      });
      setTimeout(() => socket.destroy(), 15_000).unref();
    });
  }

  it("drops slow-loris clients at the headers timeout while other clients are served", async () => {
    const row = rec.start("slow-loris client", `headers trickled 1 byte / 100 ms: 408 and closed after server.headers_timeout_ms (${HEADERS_TIMEOUT_MS} ms here; default 66 s); other clients unaffected`);
    const lorises = Array.from({ length: 20 }, () => loris(100));
    const others: number[] = [];
    for (let i = 0; i < 10; i++) others.push((await ask("ra")).status);
    const dropped = await Promise.all(lorises);
    for (const d of dropped) {
      expect(d.answer).toMatch(/^HTTP\/1\.1 408/);
      expect(d.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
      expect(d.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 5_000);
    }
    expect(others.every((s) => s === 200)).toBe(true);
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
    const slowest = Math.max(...dropped.map((d) => d.closedAfterMs));
    row.pass(`20 lorises: all 408 + closed within ${Math.round(slowest)} ms; 10/10 concurrent normal requests 200`);
  });
});

describe("connection handling", () => {
  it("closes the connection after a stream when the client asked for Connection: close", async () => {
    const row = rec.start("regression: Connection: close on a stream", "the socket closes right after the stream's last event; it used to be held open until keepAliveTimeout (65 s) because SSE answers forced Connection: keep-alive");
    const t0 = performance.now();
    const outcome = await new Promise<{ closed: boolean; text: string }>((resolve) => {
      const socket = connect(gateway.port, "127.0.0.1");
      let text = "";
      const timer = setTimeout(() => (socket.destroy(), resolve({ closed: false, text })), 5_000);
      socket.on("data", (b) => (text += b.toString()));
      socket.on("close", () => (clearTimeout(timer), resolve({ closed: true, text })));
      const body = JSON.stringify({ model: "burst-solo", stream: true, messages: [{ role: "user", content: "hello there" }] });
      socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${TENANT_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    expect(outcome.text).toMatch(/^HTTP\/1\.1 200/);
    expect(outcome.text).toContain("data: [DONE]");
    expect(outcome.closed).toBe(true);
    row.pass(`closed ${Math.round(performance.now() - t0)} ms after the request, right after [DONE]`);
  });
});

describe("what the catalogue left in the logs", () => {
  it("never logged the upstream keys", () => {
    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of [UPSTREAM_KEY, MISCONFIGURED_KEY, TENANT_KEY]) expect(text).not.toContain(secret);
  });
});
