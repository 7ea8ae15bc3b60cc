// Throughput at saturation with autocannon (in this process, on the load generator's core):
// C connections for T seconds per target after a short warm-up, non-streaming requests. The T
// seconds are cut into slices that alternate between targets, so a burst of outside load on a
// shared machine hits every target rather than whichever happened to run then.
import autocannon from "autocannon";
import { requestBody, requestHeaders } from "../client.js";

function cannon(t, extra) {
  const body = requestBody(t, false);
  const headers = requestHeaders(t, body);
  delete headers["content-length"]; // autocannon sets it
  return autocannon({ url: `${t.origin}/v1/chat/completions`, method: "POST", headers, body, ...extra });
}

export async function saturate(t, { connections, duration, warmupDuration }) {
  if (warmupDuration > 0) await cannon(t, { connections, duration: warmupDuration });
  const r = await cannon(t, { connections, duration });
  return summarizeRun(t, r, connections);
}

/**
 * Interleaved saturation: `slices` rounds, each giving every target duration/slices seconds.
 * requests/s is the sum over slices; p50 and p99 are the medians of the slices' own.
 */
export async function saturateInterleaved(targets, { connections, duration, warmupDuration, slices, onSlice }) {
  if (warmupDuration > 0) for (const t of targets) await cannon(t, { connections, duration: warmupDuration });
  const n = Math.max(1, Math.round(slices));
  const per = Math.max(1, Math.round(duration / n));
  const runs = new Map(targets.map((t) => [t.id, []]));
  for (let i = 0; i < n; i++) {
    for (const t of targets) {
      const before = onSlice?.(t);
      const r = await cannon(t, { connections, duration: per });
      runs.get(t.id).push({ r, extra: before?.() });
    }
  }
  return targets.map((t) => {
    const list = runs.get(t.id);
    const ok = list.reduce((a, { r }) => a + r["2xx"], 0);
    const secs = list.reduce((a, { r }) => a + r.duration, 0);
    const mid = (f) => medianOf(list.map(({ r }) => f(r)));
    return {
      id: t.id,
      label: t.label,
      connections,
      duration_s: Math.round(secs * 10) / 10,
      slices: list.length,
      requests_ok: ok,
      requests_per_s: Math.round(ok / secs),
      slice_requests_per_s: list.map(({ r }) => Math.round(r["2xx"] / r.duration)),
      slice_requests_ok: list.map(({ r }) => r["2xx"]),
      p50_ms: mid((r) => r.latency.p50),
      p90_ms: mid((r) => r.latency.p90),
      p99_ms: mid((r) => r.latency.p99),
      max_ms: Math.max(...list.map(({ r }) => r.latency.max)),
      errors: list.reduce((a, { r }) => a + r.errors + r.timeouts + r.non2xx, 0),
      non2xx: list.reduce((a, { r }) => a + r.non2xx, 0),
      slice_extras: list.map(({ extra }) => extra),
    };
  });
}

function medianOf(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Exactly `amount` requests over `connections` connections (the memory stage). */
export async function sendAmount(t, { amount, connections }) {
  const r = await cannon(t, { connections, amount });
  return summarizeRun(t, r, connections);
}

function summarizeRun(t, r, connections) {
  const ok = r["2xx"];
  return {
    id: t.id,
    label: t.label,
    connections,
    duration_s: r.duration,
    requests_ok: ok,
    requests_per_s: Math.round(ok / r.duration),
    p50_ms: r.latency.p50,
    p90_ms: r.latency.p90,
    p99_ms: r.latency.p99,
    max_ms: r.latency.max,
    errors: r.errors + r.timeouts + r.non2xx,
    non2xx: r.non2xx,
    timeouts: r.timeouts,
  };
}
