// Counters and histograms whose labelled series are plain objects the caller keeps and updates in place.
// prom-client's inc({labels}) / observe({labels}, v) validate and hash the whole label set on every call
// (~0.45 µs each, seven or more per request), and its labels() children hash again on each call; here a
// series is resolved once per label set and updating it is an addition (bench/README.md, "Toward issue
// 14"). They register in a prom-client Registry like its own metrics and answer get() with the same
// values (names, labels, bucket bounds) prom-client's Counter and Histogram give, so the exposition, the
// cluster aggregation (AggregatorRegistry) and resetMetrics (which zeroes series in place) work unchanged.
import type { Aggregator, Metric, Registry } from "prom-client";

/** One sample as prom-client's metrics give them from get() (a histogram's name the _bucket, _sum or _count line's). */
export interface SeriesValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** What get() answers, as prom-client's own metrics do (its typings declare `type` as an enum the runtime never uses). */
export interface SeriesSnapshot {
  name: string;
  help: string;
  type: "counter" | "histogram";
  values: SeriesValue[];
  aggregator: Aggregator;
}

export interface CounterSeries {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
}

export interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

interface SeriesConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers: Registry[];
}

abstract class SeriesMetric<L extends string, S extends { labels: Readonly<Record<string, string>> }> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly aggregator: Aggregator = "sum";
  abstract readonly type: "counter" | "histogram";
  protected readonly byKey = new Map<string, S>();

  constructor(cfg: SeriesConfig<L>) {
    this.name = cfg.name;
    this.help = cfg.help;
    this.labelNames = cfg.labelNames;
    // Registry reads name, help, type, aggregator and get(), and calls reset(): the whole of what it asks of a metric.
    for (const r of cfg.registers) r.registerMetric(this as unknown as Metric);
  }

  /** The series of these label values, made on first use. Keep it: later updates need no lookup. */
  series(labels: Record<L, string>): S {
    let key = "";
    for (const n of this.labelNames) key += `${labels[n]}\u0000`;
    let s = this.byKey.get(key);
    if (!s) {
      // Own copy, in labelNames order (the exposition's label order).
      const own: Record<string, string> = {};
      for (const n of this.labelNames) own[n] = String(labels[n]);
      s = this.create(own);
      this.byKey.set(key, s);
    }
    return s;
  }

  protected abstract create(labels: Record<string, string>): S;

  /** Zeroes every series in place (series callers keep stay the ones reported); zeroed, they are not reported until updated. */
  reset(): void {
    for (const s of this.byKey.values()) this.zero(s);
  }

  protected abstract zero(s: S): void;
}

export class SeriesCounter<L extends string> extends SeriesMetric<L, CounterSeries> {
  readonly type = "counter" as const;

  protected create(labels: Record<string, string>): CounterSeries {
    return { labels, value: 0 };
  }

  protected zero(s: CounterSeries): void {
    s.value = 0;
  }

  /** For rare events: a lookup per call. Values that are not finite and positive are left out. */
  inc(labels: Record<L, string>, value = 1): void {
    if (value > 0 && Number.isFinite(value)) this.series(labels).value += value;
  }

  async get(): Promise<SeriesSnapshot> {
    const values: SeriesValue[] = [];
    // Only what was counted, as prom-client reports a series from its first inc() (values added are always > 0).
    for (const s of this.byKey.values()) if (s.value !== 0) values.push({ labels: { ...s.labels }, value: s.value });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export class SeriesHistogram<L extends string> extends SeriesMetric<L, HistogramSeries> {
  readonly type = "histogram" as const;
  readonly buckets: readonly number[];

  constructor(cfg: SeriesConfig<L> & { buckets: readonly number[] }) {
    super(cfg);
    this.buckets = [...cfg.buckets].sort((a, b) => a - b);
  }

  protected create(labels: Record<string, string>): HistogramSeries {
    return { labels, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
  }

  protected zero(s: HistogramSeries): void {
    s.counts.fill(0);
    s.sum = 0;
    s.count = 0;
  }

  /** Adds one observation to a series; a value that is not a finite number is left out. */
  observe(s: HistogramSeries, value: number): void {
    if (!Number.isFinite(value)) return;
    const b = this.buckets;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
  }

  async get(): Promise<SeriesSnapshot> {
    const values: SeriesValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.byKey.values()) {
      // As prom-client, a series appears with its first observation.
      if (s.count === 0) continue;
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i]!;
        values.push({ labels: { le: this.buckets[i]!, ...s.labels }, value: acc, metricName: bucket });
      }
      values.push(
        { labels: { le: "+Inf", ...s.labels }, value: s.count, metricName: bucket },
        { labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` },
        { labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
