import { describe, expect, it } from "vitest";
import type { RequestFinishedEvent } from "../core/gateway-events";
import { bucketOf, bucketValue, BUCKETS, percentiles } from "./log-histogram";
import { MINUTE_MS, MINUTES, TrafficRecorder } from "./traffic-recorder";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const chat = (over: Partial<RequestFinishedEvent> = {}): RequestFinishedEvent => ({
  requestId: "r",
  route: "/v1/chat/completions",
  method: "POST",
  status: 200,
  stream: false,
  durationMs: 50,
  upstreamMs: 49,
  overheadMs: 1,
  ...over,
});

describe("the log-scale histogram", () => {
  it("reads every duration back within 10 %", () => {
    for (const ms of [0.02, 0.5, 1, 3.3, 42, 180, 999, 12_345, 300_000]) {
      const v = bucketValue(bucketOf(ms));
      expect(Math.abs(v - ms) / ms).toBeLessThan(0.1);
    }
  });

  it("keeps durations outside its range in the end buckets instead of failing", () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(Number.NaN)).toBe(0);
    expect(bucketOf(-5)).toBe(0);
    expect(bucketOf(1e12)).toBe(BUCKETS - 1);
  });

  it("gives percentiles of a known spread, and nulls for nothing measured", () => {
    const h = new Uint32Array(BUCKETS);
    for (let i = 1; i <= 100; i++) h[bucketOf(i)]! += 1;
    const p = percentiles(h);
    expect(p.count).toBe(100);
    expect(p.p50! / 50).toBeGreaterThan(0.9);
    expect(p.p50! / 50).toBeLessThan(1.1);
    expect(p.p99! / 99).toBeGreaterThan(0.9);
    expect(p.p99! / 99).toBeLessThan(1.1);
    expect(percentiles(new Uint32Array(BUCKETS))).toEqual({ count: 0, p50: null, p95: null, p99: null });
  });
});

describe("TrafficRecorder", () => {
  it("counts /v1 requests per minute by status class and leaves probes and the dashboard out", () => {
    const c = clock();
    const t = new TrafficRecorder(c.now);
    t.events.requestFinished!(chat());
    t.events.requestFinished!(chat({ status: 404, upstreamMs: undefined }));
    t.events.requestFinished!(chat({ status: 503 }));
    t.events.requestFinished!(chat({ route: "/health" }));
    t.events.requestFinished!(chat({ route: "/dashboard/summary" }));
    c.advance(MINUTE_MS);
    t.events.requestFinished!(chat({ status: 202, upstreamMs: undefined, overheadMs: undefined }));
    const minutes = t.minutes();
    expect(minutes).toHaveLength(MINUTES);
    expect(minutes.at(-2)!.requests).toEqual({ "2xx": 1, "3xx": 0, "4xx": 1, "5xx": 1 });
    expect(minutes.at(-1)!.requests).toEqual({ "2xx": 1, "3xx": 0, "4xx": 0, "5xx": 0 });
    // Latency only for the two that reached an upstream.
    expect(minutes.at(-2)!.latencyMs.count).toBe(2);
    expect(minutes.at(-1)!.latencyMs.count).toBe(0);
    expect(t.recent().requests).toEqual({ "2xx": 2, "3xx": 0, "4xx": 1, "5xx": 1 });
    expect(minutes.at(-1)!.start).toBe(T0 + MINUTE_MS);
  });

  it("counts only model calls: job polls, usage reads, model lists and the admin API are not model traffic", () => {
    const t = new TrafficRecorder(clock().now);
    for (const route of ["/v1/chat/completions", "/v1/chat/stream", "/v1/messages", "/v1/responses", "/v1/embeddings"]) t.events.requestFinished!(chat({ route }));
    t.events.requestFinished!(chat({ route: "/v1/jobs/{job_id}", method: "GET", upstreamMs: undefined }));
    t.events.requestFinished!(chat({ route: "/v1/jobs/{job_id}", method: "DELETE", upstreamMs: undefined }));
    t.events.requestFinished!(chat({ route: "/v1/usage", method: "GET", upstreamMs: undefined }));
    t.events.requestFinished!(chat({ route: "/v1/models", method: "GET", upstreamMs: undefined }));
    t.events.requestFinished!(chat({ route: "/v1/admin/keys", status: 401, upstreamMs: undefined }));
    t.events.requestFinished!(chat({ route: "/v1/responses/{response_id}", method: "GET", upstreamMs: undefined }));
    t.events.requestFinished!(chat({ route: "/v1/messages/count_tokens", upstreamMs: undefined }));
    t.events.requestFinished!(chat({ route: "other", status: 404, upstreamMs: undefined }));
    expect(t.recent().requests).toEqual({ "2xx": 5, "3xx": 0, "4xx": 0, "5xx": 0 });
  });

  it("reports latency, overhead and time-to-first-token percentiles", () => {
    const t = new TrafficRecorder(clock().now);
    for (let i = 1; i <= 100; i++) t.events.requestFinished!(chat({ durationMs: i * 10, overheadMs: i / 100, ttftMs: i < 50 ? 200 : undefined }));
    const r = t.recent();
    expect(r.latencyMs.p50! / 500).toBeGreaterThan(0.9);
    expect(r.latencyMs.p50! / 500).toBeLessThan(1.1);
    expect(r.overheadMs.p99! / 0.99).toBeGreaterThan(0.9);
    expect(r.overheadMs.p99! / 0.99).toBeLessThan(1.1);
    expect(r.ttftMs.count).toBe(49);
  });

  it("adds up tokens and cost of requests and of queued jobs, and counts jobs that failed", () => {
    const t = new TrafficRecorder(clock().now);
    t.events.requestFinished!(chat({ promptTokens: 10, completionTokens: 5, costUsd: 0.001 }));
    t.events.jobUsage!({ tenant: "a", provider: "p", model: "m", promptTokens: 100, completionTokens: 50, costUsd: 0.01 });
    t.events.jobFinished!({ tenant: "a", status: "succeeded" });
    t.events.jobFinished!({ tenant: "a", status: "expired" });
    const r = t.recent();
    expect([r.promptTokens, r.completionTokens, r.costUsd]).toEqual([110, 55, 0.011]);
    expect([r.jobsFinished, r.jobsFailed]).toEqual([2, 1]);
  });

  it("forgets a minute once it is an hour old, and keeps the rest", () => {
    const c = clock();
    const t = new TrafficRecorder(c.now);
    t.events.requestFinished!(chat());
    c.advance(30 * MINUTE_MS);
    t.events.requestFinished!(chat({ status: 500 }));
    c.advance(30 * MINUTE_MS);
    // The slot of the first minute is reused now: its count must not leak into this one.
    t.events.requestFinished!(chat({ status: 429 }));
    const all = t.minutes().reduce((n, m) => n + m.requests["2xx"] + m.requests["4xx"] + m.requests["5xx"], 0);
    expect(all).toBe(2);
    expect(t.minutes().at(-1)!.requests["2xx"]).toBe(0);
    c.advance(2 * 60 * MINUTE_MS);
    expect(t.minutes().every((m) => m.requests["5xx"] === 0 && m.requests["4xx"] === 0)).toBe(true);
  });

  it("keeps each deployment's calls, failures, retries and fallbacks over the last five minutes", () => {
    const c = clock();
    const t = new TrafficRecorder(c.now);
    for (let i = 0; i < 4; i++) t.events.upstreamAttempt!({ provider: "openai", model: "gpt", upstreamModel: "gpt-up", ok: i > 0, durationMs: 5 });
    t.events.retry!({ provider: "openai", model: "gpt", upstreamModel: "gpt-up", attempt: 1, reason: "x", delayMs: 1 });
    t.events.fallback!({ model: "gpt", fromProvider: "openai", fromUpstreamModel: "gpt-up", toProvider: "backup", reason: "x" });
    expect(t.deployments.recent()).toEqual([{ provider: "openai", model: "gpt-up", attempts: 4, failures: 1, retries: 1, fallbacks: 1 }]);
    expect(t.recent().fallbacks).toBe(1);
    expect(t.recent().retries).toBe(1);
    c.advance(5 * MINUTE_MS);
    expect(t.deployments.recent()[0]).toMatchObject({ attempts: 0, failures: 0 });
  });
});
