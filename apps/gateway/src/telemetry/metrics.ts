// The gateway's Prometheus metrics, on a registry of its own (never prom-client's global one, so
// several gateways in one process never mix their series). Modules report through GatewayEvents;
// this listener turns the events into series with bounded labels (see metric-labels.ts).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { BreakerState } from "../resilience/circuit-breaker";
import type { GatewayEvents, RequestFinishedEvent } from "../core/gateway-events";
import { NONE, type MetricLabels } from "./metric-labels";
import { SeriesCounter, SeriesHistogram, type CounterSeries, type HistogramSeries } from "./metric-series";
import { branchOf } from "./nested-map";

export const PREFIX = "runestone_";

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** The gateway's own time is expected in the sub-millisecond range, so its buckets start at 50 µs. */
const OVERHEAD_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const TTFT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const QUEUE_WAIT_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600];

/** The token and cost series of one (provider, model[, tenant]). */
interface UsageSeries {
  input: CounterSeries;
  cached: CounterSeries;
  output: CounterSeries;
  cost: CounterSeries;
}

/** Every series a finished request updates, resolved once per label combination (metric-series.ts). */
interface RequestSeries {
  requests: CounterSeries;
  duration: HistogramSeries;
  overhead: HistogramSeries;
  /** Resolved on the first stream's time to first token. */
  ttft: HistogramSeries | undefined;
  usage: UsageSeries;
}

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export interface MetricsOptions {
  labels: MetricLabels;
  /** Add a `tenant` label to per-tenant series (off when tenants are too many to be labels). */
  tenantLabel: boolean;
  /** Collect the process metrics (CPU, memory, event loop lag, GC) as runestone_process_* / runestone_nodejs_*. */
  processMetrics?: boolean;
}

export interface BreakerSource {
  all(): Array<{ provider: string; model: string; state: BreakerState }>;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly events: GatewayEvents;
  private readonly labels: MetricLabels;
  private readonly tenantLabel: boolean;
  private breakers?: BreakerSource;
  private queueDepthSource?: () => Promise<number>;
  private scrapeSource?: () => Promise<string>;
  /** Depth as last reported by queue events, when no queue is bound to ask. */
  private reportedDepth = 0;
  /** Requests in flight (the active_requests gauge reads it at each scrape). */
  private active = 0;

  // The per-request series: kept by their label values (the maps below), updated in place.
  readonly requests: SeriesCounter<string>;
  readonly requestDuration: SeriesHistogram<string>;
  readonly upstreamDuration: SeriesHistogram<string>;
  readonly overhead: SeriesHistogram<string>;
  readonly ttft: SeriesHistogram<string>;
  readonly inputTokens: SeriesCounter<string>;
  readonly cachedInputTokens: SeriesCounter<string>;
  readonly outputTokens: SeriesCounter<string>;
  readonly cost: SeriesCounter<string>;
  // Bounded like the labels themselves (metric-labels.ts). The per-request ones are looked up one label value
  // per level (nested-map.ts): route, status code, provider, model, tenant ("" without the tenant label), then
  // [not a stream, a stream]; provider, model, outcome; cache result, tenant.
  private readonly requestSeries = new Map<string, Map<number, Map<string, Map<string, Map<string, Array<RequestSeries | undefined>>>>>>();
  private readonly usageSeries = new Map<string, UsageSeries>();
  private readonly attemptSeries = new Map<string, Map<string, Map<string, HistogramSeries>>>();
  private readonly cacheSeries = new Map<string, Map<string, CounterSeries>>();
  readonly activeRequests: Gauge;
  readonly queueDepth: Gauge;
  readonly queueWait: Histogram;
  readonly jobsFinished: Counter;
  readonly rateLimited: Counter;
  readonly fallbacks: Counter;
  readonly retries: Counter;
  readonly breakerState: Gauge;
  readonly cacheRequests: SeriesCounter<string>;
  readonly cacheSaved: Counter;

  constructor(opts: MetricsOptions) {
    this.labels = opts.labels;
    this.tenantLabel = opts.tenantLabel;
    const registers = [this.registry];
    const t = opts.tenantLabel ? (["tenant"] as const) : ([] as const);
    const self = this;

    this.requests = new SeriesCounter({
      name: `${PREFIX}requests_total`,
      help: "Requests answered, by route template, status, provider, model and tenant.",
      labelNames: ["route", "status", "provider", "model", ...t],
      registers,
    });
    this.requestDuration = new SeriesHistogram({
      name: `${PREFIX}request_duration_seconds`,
      help: "Time from the request's arrival to the end of its response (the whole stream for streams).",
      labelNames: ["route", "provider", "model", "stream"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.upstreamDuration = new SeriesHistogram({
      name: `${PREFIX}upstream_duration_seconds`,
      help: "Duration of each upstream attempt (to the first chunk for streams), by outcome: ok or the failure kind.",
      labelNames: ["provider", "model", "outcome"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.overhead = new SeriesHistogram({
      name: `${PREFIX}gateway_overhead_seconds`,
      help: "Time spent in the gateway itself: request duration minus the time spent waiting on upstreams.",
      labelNames: ["route", "stream"],
      buckets: OVERHEAD_BUCKETS,
      registers,
    });
    this.ttft = new SeriesHistogram({
      name: `${PREFIX}time_to_first_token_seconds`,
      help: "Streams: time from the request's arrival to its first content chunk sent to the client.",
      labelNames: ["provider", "model"],
      buckets: TTFT_BUCKETS,
      registers,
    });
    this.inputTokens = new SeriesCounter({ name: `${PREFIX}input_tokens_total`, help: "Prompt (input) tokens, as reported by providers (estimated when no report came: a client gone, a stream cut).", labelNames: ["provider", "model", ...t], registers });
    this.cachedInputTokens = new SeriesCounter({ name: `${PREFIX}cached_input_tokens_total`, help: "Prompt tokens served from a provider's prompt cache (a part of input tokens).", labelNames: ["provider", "model", ...t], registers });
    this.outputTokens = new SeriesCounter({ name: `${PREFIX}output_tokens_total`, help: "Completion (output) tokens, as reported by providers (estimated when no report came: a client gone, a stream cut).", labelNames: ["provider", "model", ...t], registers });
    this.cost = new SeriesCounter({ name: `${PREFIX}cost_usd_total`, help: "Cost in US dollars, from the catalog's prices and the reported tokens.", labelNames: ["provider", "model", ...t], registers });
    this.activeRequests = new Gauge({
      name: `${PREFIX}active_requests`,
      help: "Requests being handled right now (streams until they end).",
      registers,
      // Counted in a plain number (two gauge updates per request cost a label hash each) and read at the scrape.
      collect() {
        this.set(self.active);
      },
    });
    this.queueDepth = new Gauge({
      name: `${PREFIX}queue_depth`,
      help: "Jobs waiting in the overflow queue.",
      registers,
      // Every worker asks the same shared queue: the depth is one number, not a sum.
      aggregator: "max",
      async collect() {
        if (self.queueDepthSource) {
          try {
            this.set(await self.queueDepthSource());
            return;
          } catch {
            // An unreachable backend must not fail the scrape; the last reported depth stands in.
          }
        }
        this.set(self.reportedDepth);
      },
    });
    this.queueWait = new Histogram({ name: `${PREFIX}queue_wait_seconds`, help: "Time queued jobs waited before they started.", labelNames: [...t], buckets: QUEUE_WAIT_BUCKETS, registers });
    this.jobsFinished = new Counter({ name: `${PREFIX}jobs_finished_total`, help: "Queued jobs that reached a final status (succeeded, failed, expired, cancelled).", labelNames: ["status", ...t], registers });
    this.cacheRequests = new SeriesCounter({
      name: `${PREFIX}cache_requests_total`,
      help: "Chat requests by what the response cache did: hit (replayed, no upstream call), miss (looked up, not found) or bypass (not used).",
      labelNames: ["result", ...t],
      registers,
    });
    this.cacheSaved = new Counter({ name: `${PREFIX}cache_saved_usd_total`, help: "What the answers replayed from the response cache cost when they were made, in US dollars: spend saved by hits.", labelNames: [...t], registers });
    this.rateLimited = new Counter({
      name: `${PREFIX}rate_limited_total`,
      help: "Requests a tenant's limits refused, by the limit hit and what happened (rejected with 429, or queued).",
      labelNames: ["limit", "action", ...t],
      registers,
    });
    this.fallbacks = new Counter({ name: `${PREFIX}fallbacks_total`, help: "Moves from a failed candidate deployment to the next one.", labelNames: ["model", "from_provider", "to_provider"], registers });
    this.retries = new Counter({ name: `${PREFIX}retries_total`, help: "Retry rounds started after every candidate of a round failed.", labelNames: ["provider", "model"], registers });
    this.breakerState = new Gauge({
      name: `${PREFIX}breaker_state`,
      help: "Circuit breaker per deployment (provider, upstream model): 0 closed, 1 half-open, 2 open.",
      labelNames: ["provider", "deployment"],
      registers,
      // Breakers live in each worker process: across workers, the worst state.
      aggregator: "max",
      collect() {
        if (!self.breakers) return;
        // Exactly the breakers that exist: one dropped from the registry (breaker-registry.ts) leaves no series behind.
        this.reset();
        for (const b of self.breakers.all()) this.set({ provider: b.provider, deployment: b.model }, BREAKER_VALUE[b.state]);
      },
    });
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });

    this.events = {
      requestFinished: (e) => this.onRequestFinished(e),
      upstreamAttempt: (e) => this.upstreamDuration.observe(this.attemptSeriesOf(e.provider, this.labels.model(e.model), e.ok ? "ok" : (e.errorKind ?? "error")), e.durationMs / 1000),
      fallback: (e) => this.fallbacks.inc({ model: this.labels.model(e.model), from_provider: e.fromProvider, to_provider: e.toProvider }),
      retry: (e) => this.retries.inc({ provider: e.provider, model: this.labels.model(e.model) }),
      breakerStateChanged: (e) => this.breakerState.set({ provider: e.provider, deployment: e.model }, BREAKER_VALUE[e.state]),
      rateLimited: (e) => this.rateLimited.inc(this.withTenant({ limit: e.limit, action: e.action }, e.tenant)),
      jobQueued: (e) => {
        this.reportedDepth = e.depth;
      },
      jobStarted: (e) => {
        this.reportedDepth = Math.max(0, this.reportedDepth - 1);
        this.queueWait.observe(this.withTenant({}, e.tenant), e.waitMs / 1000);
      },
      jobFinished: (e) => this.jobsFinished.inc(this.withTenant({ status: e.status }, e.tenant)),
      jobUsage: (e) => this.countUsage(e.provider, e.model, e.tenant, e),
    };
  }

  /** Breaker states are read from the breakers themselves at every scrape, so the gauge never drifts. */
  bindBreakers(source: BreakerSource): void {
    this.breakers = source;
  }

  /** Queue depth is asked of the queue at every scrape (the truth across instances in Redis mode). */
  bindQueueDepth(source: () => Promise<number>): void {
    this.queueDepthSource = source;
  }

  requestStarted(): void {
    this.active++;
  }

  requestEnded(): void {
    this.active--;
  }

  /** The Prometheus text exposition and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const body = this.scrapeSource ? await this.scrapeSource() : await this.registry.metrics();
    return { contentType: this.registry.contentType, body };
  }

  /** Scrape through this source instead of the local registry (every worker's metrics, see cluster-metrics.ts). */
  scrapeThrough(source: () => Promise<string>): void {
    this.scrapeSource = source;
  }

  private onRequestFinished(e: RequestFinishedEvent): void {
    const provider = e.provider ?? NONE;
    const model = this.labels.model(e.model);
    const tenant = this.tenantLabel ? (e.tenant ?? NONE) : "";
    const byTenant = branchOf(branchOf(branchOf(branchOf(this.requestSeries, e.route), e.status), provider), model);
    let pair = byTenant.get(tenant);
    if (!pair) byTenant.set(tenant, (pair = [undefined, undefined]));
    const streamed = e.stream ? 1 : 0;
    let s = pair[streamed];
    if (!s) {
      s = this.resolveRequestSeries(e.route, this.labels.status(e.status), provider, model, e.stream ? "true" : "false", e.tenant);
      pair[streamed] = s;
    }
    s.requests.value += 1;
    this.requestDuration.observe(s.duration, e.durationMs / 1000);
    if (e.overheadMs !== undefined) this.overhead.observe(s.overhead, e.overheadMs / 1000);
    if (e.ttftMs !== undefined) this.ttft.observe((s.ttft ??= this.ttft.series({ provider, model })), e.ttftMs / 1000);
    addUsage(s.usage, e);
    if (e.cache) this.cacheSeriesOf(e.cache, e.tenant).value += 1;
    if (addable(e.cacheSavedUsd)) this.cacheSaved.inc(this.withTenant({}, e.tenant), e.cacheSavedUsd);
  }

  private resolveRequestSeries(route: string, status: string, provider: string, model: string, stream: string, tenant: string | undefined): RequestSeries {
    return {
      requests: this.requests.series(this.withTenant({ route, status, provider, model }, tenant)),
      duration: this.requestDuration.series({ route, provider, model, stream }),
      overhead: this.overhead.series({ route, stream }),
      ttft: undefined,
      usage: this.usageSeriesOf(provider, model, tenant),
    };
  }

  /** `model` is already a label value (metric-labels.ts). */
  private usageSeriesOf(provider: string, model: string, tenant: string | undefined): UsageSeries {
    const key = `${provider}\0${model}\0${this.tenantLabel ? (tenant ?? NONE) : ""}`;
    let u = this.usageSeries.get(key);
    if (!u) {
      const who = this.withTenant({ provider, model }, tenant);
      u = { input: this.inputTokens.series(who), cached: this.cachedInputTokens.series(who), output: this.outputTokens.series(who), cost: this.cost.series(who) };
      this.usageSeries.set(key, u);
    }
    return u;
  }

  private cacheSeriesOf(result: string, tenant: string | undefined): CounterSeries {
    const byTenant = branchOf(this.cacheSeries, result);
    const key = this.tenantLabel ? (tenant ?? NONE) : "";
    let c = byTenant.get(key);
    if (!c) {
      c = this.cacheRequests.series(this.withTenant({ result }, tenant));
      byTenant.set(key, c);
    }
    return c;
  }

  private attemptSeriesOf(provider: string, model: string, outcome: string): HistogramSeries {
    const byOutcome = branchOf(branchOf(this.attemptSeries, provider), model);
    let h = byOutcome.get(outcome);
    if (!h) {
      h = this.upstreamDuration.series({ provider, model, outcome });
      byOutcome.set(outcome, h);
    }
    return h;
  }

  private countUsage(provider: string, model: string | undefined, tenant: string | undefined, u: UsageCounts): void {
    if (u.promptTokens === undefined && u.completionTokens === undefined) return;
    addUsage(this.usageSeriesOf(provider, this.labels.model(model), tenant), u);
  }

  private withTenant<T extends Record<string, string>>(labels: T, tenant: string | undefined): T {
    if (this.tenantLabel) (labels as Record<string, string>).tenant = tenant ?? NONE;
    return labels;
  }
}

interface UsageCounts {
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  costUsd?: number;
}

function addUsage(s: UsageSeries, u: UsageCounts): void {
  if (u.promptTokens === undefined && u.completionTokens === undefined) return;
  // A count that is not a finite positive number (a provider's odd report) is left out, never thrown.
  if (addable(u.promptTokens)) s.input.value += u.promptTokens;
  if (addable(u.cachedTokens)) s.cached.value += u.cachedTokens;
  if (addable(u.completionTokens)) s.output.value += u.completionTokens;
  if (addable(u.costUsd)) s.cost.value += u.costUsd;
}

const addable = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;
