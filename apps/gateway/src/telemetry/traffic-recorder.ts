// The recent-traffic summary behind the dashboard: the last hour, minute by minute, in fixed-size
// typed arrays. Recording is O(1) and allocates nothing (a slot index, a few counter increments and a
// log-scale histogram bucket); all the reading work (merging minutes, percentiles) happens when
// GET /dashboard/summary asks, never on the request path. One process's view: with several worker
// processes each keeps its own.
import type { GatewayEvents, JobUsageEvent, RequestFinishedEvent, UpstreamAttemptEvent } from "../core/gateway-events";
import { MODEL_CALLS } from "../core/model-calls";
import { DeploymentStats } from "./deployment-stats";
import { bucketOf, BUCKETS, percentiles, type Percentiles } from "./log-histogram";

export const MINUTE_MS = 60_000;
/** Minutes kept: the page's charts show the last hour. */
export const MINUTES = 60;
/** The "recent" window: the current minute and the four before it. */
export const RECENT_MINUTES = 5;

// Counter fields of one minute slot.
const S2XX = 0;
const S3XX = 1;
const S4XX = 2;
const S5XX = 3;
const PROMPT = 4;
const COMPLETION = 5;
const COST = 6;
const FALLBACKS = 7;
const RETRIES = 8;
const JOBS_FINISHED = 9;
const JOBS_FAILED = 10;
const FIELDS = 11;

/**
 * MODEL_CALLS as route templates by method: isModelCall's "METHOD /path" key is a new string to hash on every
 * request, while the method and the route template are strings V8 has already hashed.
 */
const MODEL_ROUTES = new Map<string, Set<string>>();
for (const call of MODEL_CALLS) {
  const space = call.indexOf(" ");
  const method = call.slice(0, space);
  let routes = MODEL_ROUTES.get(method);
  if (!routes) MODEL_ROUTES.set(method, (routes = new Set()));
  routes.add(call.slice(space + 1));
}

// Histograms kept per minute.
const LATENCY = 0;
const OVERHEAD = 1;
const TTFT = 2;

export interface TrafficWindowData {
  start: number;
  durationMs: number;
  requests: { "2xx": number; "3xx": number; "4xx": number; "5xx": number };
  latencyMs: Percentiles;
  overheadMs: Percentiles;
  ttftMs: Percentiles;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  fallbacks: number;
  retries: number;
  jobsFinished: number;
  jobsFailed: number;
}

export class TrafficRecorder {
  private readonly slotMinute = new Float64Array(MINUTES).fill(-1);
  private readonly counters = new Float64Array(MINUTES * FIELDS);
  private readonly histograms = [new Uint32Array(MINUTES * BUCKETS), new Uint32Array(MINUTES * BUCKETS), new Uint32Array(MINUTES * BUCKETS)] as const;
  readonly deployments: DeploymentStats;
  /** The listeners to combine with the gateway's others (app.ts). */
  readonly events: GatewayEvents;

  constructor(private readonly now: () => number = Date.now) {
    this.deployments = new DeploymentStats(now);
    this.events = {
      requestFinished: (e) => this.requestFinished(e),
      upstreamAttempt: (e) => this.upstreamAttempt(e),
      fallback: (e) => {
        this.count(FALLBACKS, 1);
        this.deployments.fallback(e.fromProvider, e.fromUpstreamModel);
      },
      retry: (e) => {
        this.count(RETRIES, 1);
        this.deployments.retry(e.provider, e.upstreamModel);
      },
      jobFinished: (e) => {
        const slot = this.slot();
        this.counters[slot * FIELDS + JOBS_FINISHED]! += 1;
        if (e.status !== "succeeded") this.counters[slot * FIELDS + JOBS_FAILED]! += 1;
      },
      jobUsage: (e) => this.jobUsage(e),
    };
  }

  requestFinished(e: RequestFinishedEvent): void {
    // Model traffic only: probes, scrapes, job polls, usage reads, the admin API and the dashboard's own
    // polling would drown it (and make requests per minute mean something else).
    if (!MODEL_ROUTES.get(e.method)?.has(e.route)) return;
    const slot = this.slot();
    const base = slot * FIELDS;
    const s = e.status;
    this.counters[base + (s < 300 ? S2XX : s < 400 ? S3XX : s < 500 ? S4XX : S5XX)]! += 1;
    if (e.promptTokens) this.counters[base + PROMPT]! += e.promptTokens;
    if (e.completionTokens) this.counters[base + COMPLETION]! += e.completionTokens;
    if (e.costUsd !== undefined && e.costUsd > 0) this.counters[base + COST]! += e.costUsd;
    // Latency percentiles only for requests that reached an upstream: a 401 in 0.1 ms says nothing about them.
    if (e.upstreamMs === undefined) return;
    const h = slot * BUCKETS;
    this.histograms[LATENCY][h + bucketOf(e.durationMs)]! += 1;
    if (e.overheadMs !== undefined) this.histograms[OVERHEAD][h + bucketOf(e.overheadMs)]! += 1;
    if (e.ttftMs !== undefined) this.histograms[TTFT][h + bucketOf(e.ttftMs)]! += 1;
  }

  upstreamAttempt(e: UpstreamAttemptEvent): void {
    this.deployments.attempt(e.provider, e.upstreamModel, e.ok);
  }

  /** A queued job's tokens and cost: its 202 carried none. */
  jobUsage(e: JobUsageEvent): void {
    const base = this.slot() * FIELDS;
    this.counters[base + PROMPT]! += e.promptTokens;
    this.counters[base + COMPLETION]! += e.completionTokens;
    if (e.costUsd !== undefined && e.costUsd > 0) this.counters[base + COST]! += e.costUsd;
  }

  /** The last MINUTES minutes, oldest first (the current, partial one last). */
  minutes(): TrafficWindowData[] {
    const current = Math.floor(this.now() / MINUTE_MS);
    const out: TrafficWindowData[] = [];
    for (let m = current - MINUTES + 1; m <= current; m++) out.push(this.window(m, m));
    return out;
  }

  /** The current minute and the RECENT_MINUTES - 1 before it, as one window. */
  recent(): TrafficWindowData {
    const current = Math.floor(this.now() / MINUTE_MS);
    return this.window(current - RECENT_MINUTES + 1, current);
  }

  private window(first: number, last: number): TrafficWindowData {
    const sums = new Float64Array(FIELDS);
    const hists = [new Uint32Array(BUCKETS), new Uint32Array(BUCKETS), new Uint32Array(BUCKETS)];
    for (let m = first; m <= last; m++) {
      const slot = m % MINUTES;
      if (this.slotMinute[slot] !== m) continue;
      for (let f = 0; f < FIELDS; f++) sums[f]! += this.counters[slot * FIELDS + f]!;
      for (let k = 0; k < 3; k++) for (let b = 0; b < BUCKETS; b++) hists[k]![b]! += this.histograms[k as 0 | 1 | 2][slot * BUCKETS + b]!;
    }
    return {
      start: first * MINUTE_MS,
      durationMs: (last - first + 1) * MINUTE_MS,
      requests: { "2xx": sums[S2XX]!, "3xx": sums[S3XX]!, "4xx": sums[S4XX]!, "5xx": sums[S5XX]! },
      latencyMs: percentiles(hists[LATENCY]!),
      overheadMs: percentiles(hists[OVERHEAD]!),
      ttftMs: percentiles(hists[TTFT]!),
      promptTokens: sums[PROMPT]!,
      completionTokens: sums[COMPLETION]!,
      costUsd: Math.round(sums[COST]! * 1e9) / 1e9,
      fallbacks: sums[FALLBACKS]!,
      retries: sums[RETRIES]!,
      jobsFinished: sums[JOBS_FINISHED]!,
      jobsFailed: sums[JOBS_FAILED]!,
    };
  }

  private count(field: number, n: number): void {
    this.counters[this.slot() * FIELDS + field]! += n;
  }

  /** The current minute's slot, cleared first if it still holds a minute an hour old. */
  private slot(): number {
    const minute = Math.floor(this.now() / MINUTE_MS);
    const slot = minute % MINUTES;
    if (this.slotMinute[slot] !== minute) {
      this.slotMinute[slot] = minute;
      this.counters.fill(0, slot * FIELDS, (slot + 1) * FIELDS);
      for (const h of this.histograms) h.fill(0, slot * BUCKETS, (slot + 1) * BUCKETS);
    }
    return slot;
  }
}
