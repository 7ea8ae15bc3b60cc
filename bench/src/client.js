// The load generator's requests: the same OpenAI chat body to each target (direct to the mock,
// through Runestone, through Portkey), timed from the first byte written to the last byte read.
import http from "node:http";
import { TENANT_KEY, UPSTREAM_KEY, benchModels } from "./services.js";

const PROMPT = "Say hello to the benchmark.";
// Long enough that every one of up to 100 stream pieces carries text.
const STREAM_PROMPT = "The quick brown fox jumps over the lazy dog and keeps running across the field. ".repeat(4).trim();

/** Upstream model names by request kind: plain (non-streaming), stream (the 100-chunk stream), slow (concurrent slow streams). */
function upstreamModel(opts, kind) {
  const m = benchModels(opts);
  return { plain: m["gpt-4o-mini"], stream: m["bench-stream"], slow: m["bench-slow-stream"] }[kind];
}

export function directTarget(ctx, kind) {
  return { id: "direct", label: "direct (no gateway)", origin: ctx.mock.url, headers: { authorization: `Bearer ${UPSTREAM_KEY}` }, model: upstreamModel(ctx.opts, kind) };
}

/** Runestone maps its own model ids (see services.js benchModels) to the upstream directives. */
export function runestoneTarget(gw, kind, id = "runestone", label = "Runestone") {
  return { id, label, origin: gw.url, headers: { authorization: `Bearer ${TENANT_KEY}` }, model: { plain: "gpt-4o-mini", stream: "bench-stream", slow: "bench-slow-stream" }[kind] };
}

/** A floor forwards the upstream's own model ids, as the direct call does; it checks no key. */
export function floorTarget(ctx, floor, kind, id, label) {
  return { id, label, origin: floor.url, headers: {}, model: upstreamModel(ctx.opts, kind) };
}

export function portkeyTarget(ctx, kind) {
  return {
    id: "portkey",
    label: `Portkey ${ctx.machine.portkey_version ?? ""}`.trim(),
    origin: ctx.portkey.url,
    headers: { authorization: `Bearer ${UPSTREAM_KEY}`, "x-portkey-provider": "openai", "x-portkey-custom-host": `${ctx.mock.url}/v1` },
    model: upstreamModel(ctx.opts, kind),
  };
}

export function requestBody(t, stream) {
  const body = stream
    ? { model: t.model, stream: true, messages: [{ role: "user", content: STREAM_PROMPT }] }
    : { model: t.model, messages: [{ role: "user", content: PROMPT }] };
  return Buffer.from(JSON.stringify(body));
}

export function requestHeaders(t, body) {
  return { ...t.headers, "content-type": "application/json", "content-length": String(body.length) };
}

/** One keep-alive socket per target: sequential requests reuse it, as an SDK client would. */
export function sequentialAgent() {
  return new http.Agent({ keepAlive: true, maxSockets: 1 });
}

export function postTimed(agent, t, body, headers = requestHeaders(t, body)) {
  const url = new URL("/v1/chat/completions", t.origin);
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers }, (res) => {
      let bytes = 0;
      res.on("data", (d) => {
        bytes += d.length;
      });
      res.on("end", () => resolve({ status: res.statusCode, ms: elapsedMs(start), bytes }));
      res.on("error", (e) => resolve({ status: 0, ms: elapsedMs(start), error: e.message }));
    });
    req.on("error", (e) => resolve({ status: 0, ms: elapsedMs(start), error: e.message }));
    req.end(body);
  });
}

/**
 * A streaming request: time to the first body byte (the first SSE event), total time, and whether
 * the stream ended with `data: [DONE]`. `timeoutMs` bounds a stream that never ends.
 */
export function streamTimed(agent, t, body, { timeoutMs = 60_000 } = {}) {
  const url = new URL("/v1/chat/completions", t.origin);
  const headers = requestHeaders(t, body);
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    let ttfcMs;
    let tail = "";
    let events = 0;
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ttfcMs, totalMs: elapsedMs(start), events, ...result });
    };
    const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (d) => {
        if (ttfcMs === undefined) ttfcMs = elapsedMs(start);
        events += countOf(d, "data:");
        tail = (tail + d).slice(-256);
      });
      res.on("end", () => {
        const done = tail.includes("data: [DONE]");
        finish({ status: res.statusCode, done, error: done ? undefined : res.statusCode === 200 ? "ended without [DONE]" : `status ${res.statusCode}` });
      });
      res.on("error", (e) => finish({ status: res.statusCode, done: false, error: `mid-stream: ${e.code ?? e.message}` }));
    });
    const timer = setTimeout(() => {
      req.destroy(new Error("timeout"));
      finish({ status: 0, done: false, error: "timeout" });
    }, timeoutMs);
    req.on("error", (e) => finish({ status: 0, done: false, error: `${ttfcMs === undefined ? "before the first byte" : "mid-stream"}: ${e.code ?? e.message}` }));
    req.end(body);
  });
}

function countOf(text, needle) {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

const elapsedMs = (start) => Number(process.hrtime.bigint() - start) / 1e6;
