// Reliability, part 6: hostile bodies and sockets against the built gateway in its own process (so its CPU
// time is its own). A declared body beyond the limit, bodies dripped a byte at a time (with and without a
// key, declared and chunked), fifty drips at once, ten keyless 19 MB posts, garbage Content-Encoding and
// what Node itself rejects: each must get a quick OpenAI-shaped answer and a closed socket, and must not
// slow another tenant down.
import { gzipSync } from "node:zlib";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempSqlitePath } from "../harness";
import { freePort } from "../redis-server";
import { blast, cpuMsOf, drip, dripChunked, headerOf, hostileRequest, jsonOf, type HostileOutcome } from "./hostile-client";
import { spawnGateway, writeConfig, type ProcessGateway } from "./process-gateway";
import { SectionRecorder } from "./results";

const KEY = "sk-rel-hostile-tenant-0123456789";
const OTHER_KEY = "sk-rel-hostile-other-0123456789";
const HEADERS_TIMEOUT_MS = 1000;
const BODY_TIMEOUT_MS = 2000;

const yaml = (url: string, port: number) => `
server: { host: 127.0.0.1, port: ${port}, headers_timeout_ms: ${HEADERS_TIMEOUT_MS}, body_timeout_ms: ${BODY_TIMEOUT_MS}, shutdown_grace_ms: 1000 }
state: { sqlite_path: ${tempSqlitePath()} }
providers:
  openai: { type: openai, base_url: "${url}/v1", api_key: sk-rel-hostile-upstream-abcdef }
models:
  gpt-4o-mini: { deployments: [{ provider: openai, model: gpt-4o-mini }] }
  slow-stream: { deployments: [{ provider: openai, model: "gpt-4o-mini::chunkDelayMs=400" }] }
tenants:
  - { id: tenant-hostile, keys: [${KEY}] }
  - { id: tenant-other, keys: [${OTHER_KEY}] }
`;

const rec = new SectionRecorder("hostile");
let upstream: MockUpstream;
let gw: ProcessGateway & { port: number };

beforeAll(async () => {
  upstream = await startMockUpstream({ record: false });
  const port = await freePort();
  gw = Object.assign(await spawnGateway(writeConfig(yaml(upstream.url, port)), port), { port });
});

afterAll(async () => {
  rec.write();
  await gw?.stop();
  await upstream?.close();
});

const head = (path: string, headers: Record<string, string>) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;
const json = { "content-type": "application/json" };
const keyed = { ...json, authorization: `Bearer ${KEY}` };
const chatHead = (headers: Record<string, string>) => head("/v1/chat/completions", headers);

/** One small chat request of the other tenant; its wall time in ms. */
async function otherTenantMs(): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${OTHER_KEY}` },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "are you there" }] }),
  });
  await res.text();
  expect(res.status).toBe(200);
  return performance.now() - t0;
}

/** The other tenant's requests one after another until `until` settles (at least `min` of them). */
async function otherTenantDuring(until: Promise<unknown>, min = 10): Promise<number[]> {
  let done = false;
  void until.finally(() => (done = true));
  const times: number[] = [];
  while (!done || times.length < min) times.push(await otherTenantMs());
  return times;
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number | undefined) => (x === undefined ? "never" : `${Math.round(x)} ms`);

function expectError(o: HostileOutcome, status: number, code: string): void {
  expect(o.status, o.text.slice(0, 300)).toBe(status);
  const body = jsonOf(o);
  expect(body?.error).toMatchObject({ code, type: expect.any(String), message: expect.any(String) });
  expect(body?.error).toHaveProperty("param");
}

describe("bodies that never end", () => {
  it("answers 413 at once to a Content-Length beyond the body limit, with or without a key, and closes the socket", async () => {
    const row = rec.start("20 GB Content-Length, then 1 byte / 500 ms", "413 request_too_large (error shape, Connection: close) at once, before the key is checked, within 1.5 s (the body deadline here is 2 s); socket closed");
    const declared = { ...json, "content-length": "20000000000" };
    const [keyless, withKey] = await Promise.all([hostileRequest(gw.port, chatHead(declared), drip(500), 10_000), hostileRequest(gw.port, chatHead({ ...declared, authorization: `Bearer ${KEY}` }), drip(500), 10_000)]);
    for (const o of [keyless, withKey]) {
      expectError(o, 413, "request_too_large");
      expect(headerOf(o, "connection")).toBe("close");
      expect(o.answeredMs).toBeLessThan(1500);
      expect(o.heldOpen).toBe(false);
    }
    row.pass(`keyless: 413 after ${ms(keyless.answeredMs)}, closed after ${ms(keyless.closedMs)}; with a key: 413 after ${ms(withKey.answeredMs)}, closed after ${ms(withKey.closedMs)}`);
  });

  it("answers 408 to a body dripped a byte at a time once server.body_timeout_ms is over, and closes the socket", async () => {
    const row = rec.start("slow-drip body (declared and chunked), with a key", `408 request_timeout (error shape) and closed at server.body_timeout_ms (${BODY_TIMEOUT_MS} ms here; default 30 s)`);
    const [declared, chunked] = await Promise.all([
      hostileRequest(gw.port, chatHead({ ...keyed, "content-length": "100000" }), drip(200), 15_000),
      hostileRequest(gw.port, chatHead({ ...keyed, "transfer-encoding": "chunked" }), dripChunked(200), 15_000),
    ]);
    for (const o of [declared, chunked]) {
      expectError(o, 408, "request_timeout");
      expect(o.answeredMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 100);
      expect(o.answeredMs).toBeLessThan(BODY_TIMEOUT_MS + 4000);
      expect(o.heldOpen).toBe(false);
      expect(o.closedMs - o.answeredMs!).toBeLessThan(3000);
    }
    row.pass(`declared: 408 after ${ms(declared.answeredMs)}, closed after ${ms(declared.closedMs)}; chunked: 408 after ${ms(chunked.answeredMs)}, closed after ${ms(chunked.closedMs)}`);
  });

  it("refuses a keyless slow-drip body with 401 at once and closes the socket instead of waiting for the body", async () => {
    const row = rec.start("slow-drip body without a key", "401 (error shape) at once, before any body byte is read; socket closed");
    const o = await hostileRequest(gw.port, chatHead({ ...json, "content-length": "100000" }), drip(200), 10_000);
    expectError(o, 401, "missing_api_key");
    expect(o.answeredMs).toBeLessThan(1500);
    expect(o.heldOpen).toBe(false);
    expect(o.closedMs).toBeLessThan(3000);
    row.pass(`401 after ${ms(o.answeredMs)}, closed after ${ms(o.closedMs)}`);
  });

  it("answers 413 to a chunked body once it passes the body limit, without reading the rest", async () => {
    const row = rec.start("chunked body beyond the limit (64 MB sent, limit 20mb)", "413 request_too_large as soon as the limit is passed; socket closed before the rest is sent");
    const body = Buffer.alloc(64 << 20, 0x20);
    const o = await hostileRequest(gw.port, chatHead({ ...keyed, "transfer-encoding": "chunked" }), blast(body, 1 << 20, true), 20_000);
    expectError(o, 413, "request_too_large");
    expect(o.heldOpen).toBe(false);
    expect(o.closedMs).toBeLessThan(10_000);
    row.pass(`413 after ${ms(o.answeredMs)}, closed after ${ms(o.closedMs)}`);
  });

  it("keeps serving another tenant while 50 sockets drip bodies, and drops all 50 at the deadline", async () => {
    const row = rec.start("50 slow-drip sockets at once", `all 50 answered 408 and closed within the deadline (+ slack); the other tenant's p50 under max(100 ms, 4 x its idle p50)`);
    const idle: number[] = [];
    for (let i = 0; i < 10; i++) idle.push(await otherTenantMs());
    const drips = Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        hostileRequest(gw.port, chatHead(i % 2 ? { ...keyed, "content-length": "100000" } : { ...keyed, "transfer-encoding": "chunked" }), i % 2 ? drip(100) : dripChunked(100), 20_000),
      ),
    );
    const during = await otherTenantDuring(drips);
    const outcomes = await drips;
    const answered = outcomes.filter((o) => o.status === 408 && !o.heldOpen);
    const worst = Math.max(...outcomes.map((o) => o.closedMs));
    expect(answered).toHaveLength(50);
    expect(worst).toBeLessThan(BODY_TIMEOUT_MS + 6000);
    expect(p50(during)).toBeLessThan(Math.max(100, 4 * p50(idle)));
    rec.figures["other tenant p50 idle / during 50 drips (ms)"] = `${Math.round(p50(idle))} / ${Math.round(p50(during))}`;
    row.pass(`50/50 answered 408, last closed after ${ms(worst)}; other tenant p50 ${Math.round(p50(idle))} ms idle, ${Math.round(p50(during))} ms during (${during.length} requests)`);
  });
});

describe("keyless bodies are never read", () => {
  it("refuses ten keyless 19 MB posts with 401 without parsing them, while another tenant keeps its latency", async () => {
    const row = rec.start("ten keyless 19 MB JSON posts at once", "each 401 (error shape) and closed; gateway CPU for all ten under 1 s (about 3 s when bodies were parsed before the key); the other tenant's p50 under max(100 ms, 4 x its idle p50)");
    const item = '{"role":"user","content":"hello there 12345"},';
    const count = Math.floor((19 << 20) / item.length);
    const body = Buffer.from(`{"model":"gpt-4o-mini","messages":[${item.repeat(count).slice(0, -1)}]}`);
    const idle: number[] = [];
    for (let i = 0; i < 10; i++) idle.push(await otherTenantMs());
    const cpu0 = cpuMsOf(gw.pid);
    const posts = Promise.all(Array.from({ length: 10 }, () => hostileRequest(gw.port, chatHead({ ...json, "content-length": String(body.length) }), blast(body), 30_000)));
    const during = await otherTenantDuring(posts);
    const outcomes = await posts;
    const cpu = cpuMsOf(gw.pid) - cpu0;
    for (const o of outcomes) {
      expectError(o, 401, "missing_api_key");
      expect(o.heldOpen).toBe(false);
    }
    expect(cpu).toBeLessThan(1000);
    expect(p50(during)).toBeLessThan(Math.max(100, 4 * p50(idle)));
    rec.figures["gateway CPU for ten keyless 19 MB posts (ms)"] = cpu;
    row.pass(`10/10 answered 401 (slowest after ${ms(Math.max(...outcomes.map((o) => o.answeredMs ?? Infinity)))}); gateway CPU ${cpu} ms in all (incl. ${during.length} requests of the other tenant); other tenant p50 ${Math.round(p50(idle))} ms idle, ${Math.round(p50(during))} ms during (worst ${Math.round(Math.max(...during))} ms)`);
  });
});

describe("bodies and requests that cannot be read", () => {
  it("answers garbage Content-Encoding with 400 and an unknown one with 415, never 500, and logs no stack", async () => {
    const row = rec.start("garbage Content-Encoding (gzip, deflate, br), an unknown one, a gzip bomb", "gzip/deflate/br over a plain body: 400 invalid_body_encoding; x-unknown: 415 unsupported_encoding; keyless: 401; 25 MB of zeros gzipped to 25 KB: 413; real gzip: 200; no error-level log line, no stack");
    const body = Buffer.from(JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "not compressed at all" }] }));
    const send = (headers: Record<string, string>, payload = body) => hostileRequest(gw.port, chatHead({ ...headers, connection: "close", "content-length": String(payload.length) }), blast(payload), 10_000);
    const logsBefore = gw.logs().length;
    const garbage = await Promise.all(["gzip", "deflate", "br"].map((enc) => send({ ...keyed, "content-encoding": enc })));
    for (const o of garbage) expectError(o, 400, "invalid_body_encoding");
    const unknown = await send({ ...keyed, "content-encoding": "x-unknown" });
    expectError(unknown, 415, "unsupported_encoding");
    const keyless = await send({ ...json, "content-encoding": "gzip" });
    expectError(keyless, 401, "missing_api_key");
    const bomb = gzipSync(Buffer.alloc(25 << 20, 0x30));
    const inflated = await send({ ...keyed, "content-encoding": "gzip" }, bomb);
    expectError(inflated, 413, "request_too_large");
    const real = await send({ ...keyed, "content-encoding": "gzip" }, gzipSync(body));
    expect(real.status, real.text.slice(0, 300)).toBe(200);
    await new Promise((r) => setTimeout(r, 200)); // pino writes asynchronously
    const lines = gw.logs().slice(logsBefore).split("\n").filter(Boolean);
    expect(lines.filter((l) => /"level":(50|60)/.test(l) || l.includes("stack"))).toEqual([]);
    row.pass(`gzip/deflate/br: ${garbage.map((o) => o.status).join("/")}; x-unknown: ${unknown.status}; keyless: ${keyless.status}; bomb (${Math.round(bomb.length / 1024)} KB): ${inflated.status}; real gzip: ${real.status}; ${lines.length} log lines, none at error level, no stack`);
  });

  it("gives what Node rejects (431, a bad request line, NUL in a header, a header timeout) a JSON body in the OpenAI shape", async () => {
    const row = rec.start("Node-level rejections", "431 / 400 / 400 / 408 each with an OpenAI-shaped JSON body and Connection: close");
    const raw = (text: string, feed = drip(60_000)) => hostileRequest(gw.port, text, feed, 10_000);
    const tooLarge = await raw(`GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(20 * 1024)}\r\n\r\n`);
    const badLine = await raw("THIS IS NOT HTTP\r\n\r\n");
    const nul = await raw("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Odd: a\0b\r\n\r\n");
    const slowHeaders = await raw("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", drip(100, "a"));
    expectError(tooLarge, 431, "request_headers_too_large");
    expectError(badLine, 400, "invalid_http_request");
    expectError(nul, 400, "invalid_http_request");
    expectError(slowHeaders, 408, "request_timeout");
    for (const o of [tooLarge, badLine, nul, slowHeaders]) {
      expect(headerOf(o, "connection")).toBe("close");
      expect(o.heldOpen).toBe(false);
    }
    expect(gw.alive()).toBe(true);
    row.pass(`431, 400, 400, 408 (after ${ms(slowHeaders.answeredMs)}), each with a JSON error body; sockets closed`);
  });

  it("never cuts a stream that lasts longer than the header and body deadlines together", async () => {
    const row = rec.start("a stream longer than headers + body deadlines", `a ${HEADERS_TIMEOUT_MS + BODY_TIMEOUT_MS} ms request deadline ends when the request is in: a 4 s stream arrives whole with [DONE]`);
    const t0 = performance.now();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${OTHER_KEY}` },
      // The mock streams one word every 400 ms for this model: 10 words, about 4 s.
      body: JSON.stringify({ model: "slow-stream", stream: true, messages: [{ role: "user", content: "one two three four five six seven eight" }] }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    const took = performance.now() - t0;
    expect(text).toContain("data: [DONE]");
    expect(took).toBeGreaterThan(HEADERS_TIMEOUT_MS + BODY_TIMEOUT_MS);
    row.pass(`stream of ${Math.round(took)} ms delivered whole, [DONE] included`);
  });
});
