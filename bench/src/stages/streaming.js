// Streaming: (a) N-chunk streams with a fixed delay between chunks, one at a time, interleaved over
// the targets: time to first chunk and total time, overhead against direct; (b) many slow streams
// at once through the gateway: how many complete with [DONE], and the gateway's peak RSS.
import http from "node:http";
import { requestBody, sequentialAgent, streamTimed } from "../client.js";
import { listenOverflows, memoryOf, rssSampler, sleep } from "../processes.js";
import { median, ms, summarize } from "../stats.js";

export async function streamRounds(targets, { streams, warmup = 2 }) {
  const state = targets.map((t) => ({ t, body: requestBody(t, true), agent: sequentialAgent(), ttfc: [], total: [], failed: 0, lastError: undefined }));
  for (const s of state) for (let i = 0; i < warmup; i++) await streamTimed(s.agent, s.t, s.body);
  for (let i = 0; i < streams; i++) {
    for (const s of state) {
      const r = await streamTimed(s.agent, s.t, s.body);
      if (!r.done) {
        s.failed++;
        s.lastError = r.error;
        continue;
      }
      s.ttfc.push(r.ttfcMs);
      s.total.push(r.totalMs);
    }
  }
  for (const s of state) s.agent.destroy();
  const direct = state.find((s) => s.t.id === "direct");
  const dTtfc = direct ? median(direct.ttfc) : undefined;
  const dTotal = direct ? median(direct.total) : undefined;
  return state.map((s) => {
    const ttfc = summarize(s.ttfc);
    const total = summarize(s.total);
    return {
      id: s.t.id,
      label: s.t.label,
      streams: s.ttfc.length,
      failed: s.failed,
      ...(s.lastError ? { last_error: s.lastError } : {}),
      ttfc_p50_ms: ttfc.p50_ms,
      ttfc_p99_ms: ttfc.p99_ms,
      total_p50_ms: total.p50_ms,
      total_p99_ms: total.p99_ms,
      ttfc_overhead_ms: dTtfc === undefined ? null : ms(median(s.ttfc) - dTtfc),
      total_overhead_ms: dTotal === undefined ? null : ms(median(s.total) - dTotal),
    };
  });
}

/**
 * `count` slow streams started within `rampMs` (so the listen backlog does not drop SYNs, which
 * would only measure the kernel's retry timer) and held open together.
 */
export async function concurrentStreams(t, gatewayPid, { count, expectedMs, rampMs = 1_000 }) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const body = requestBody(t, true);
  const before = memoryOf(gatewayPid);
  const overflows0 = listenOverflows();
  const sampler = rssSampler(gatewayPid, 100);
  const started = performance.now();
  const batch = Math.max(1, Math.ceil(count / 20));
  const pending = [];
  for (let i = 0; i < count; i += batch) {
    for (let j = i; j < Math.min(count, i + batch); j++) pending.push(streamTimed(agent, t, body, { timeoutMs: expectedMs * 3 + 30_000 }));
    await sleep(rampMs / 20);
  }
  const results = await Promise.all(pending);
  const wallMs = performance.now() - started;
  const peakSampled = sampler.stop();
  const after = memoryOf(gatewayPid);
  const overflows = overflows0 === undefined ? undefined : listenOverflows() - overflows0;
  agent.destroy();
  const completed = results.filter((r) => r.done).length;
  const failures = {};
  for (const r of results) if (!r.done) failures[r.error ?? "unknown"] = (failures[r.error ?? "unknown"] ?? 0) + 1;
  const totals = results.filter((r) => r.done).map((r) => r.totalMs);
  return {
    id: t.id,
    label: t.label,
    streams: count,
    completed,
    failed: count - completed,
    completion_rate: count ? Math.round((completed / count) * 10_000) / 10_000 : 0,
    failures,
    expected_stream_ms: expectedMs,
    stream_total_p50_ms: summarize(totals).p50_ms,
    stream_total_p99_ms: summarize(totals).p99_ms,
    wall_ms: ms(wallMs),
    rss_before_mb: before?.rss_mb,
    peak_rss_sampled_mb: peakSampled,
    // VmHWM covers the process's life; the gateway here is fresh, so it is this stage's peak.
    peak_rss_hwm_mb: after?.hwm_mb,
    rss_after_mb: after?.rss_mb,
    // machine-wide, so other work may add to it; connections refused this way fail with ECONNRESET
    listen_overflows: overflows,
  };
}
