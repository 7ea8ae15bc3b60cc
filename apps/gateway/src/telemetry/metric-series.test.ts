import { AggregatorRegistry, Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { SeriesCounter, SeriesHistogram } from "./metric-series";

const BUCKETS = [0.005, 0.01, 0.1, 1, 10];
const labelNames = ["route", "model"] as const;
const a = { route: "/v1/chat/completions", model: 'gpt "4o"\\mini\n' };
const b = { route: "/v1/embeddings", model: "other" };
const observations: Array<[typeof a, number]> = [[a, 0.002], [a, 0.005], [b, 0.05], [a, 3], [a, 42], [b, 0.005000001]];

/** The same observations through prom-client's own Counter and Histogram, and through the series metrics. */
function registries(): { theirs: Registry; ours: Registry } {
  const theirs = new Registry();
  const ours = new Registry();
  const c = new Counter({ name: "t_requests_total", help: "Requests.", labelNames, registers: [theirs] });
  const h = new Histogram({ name: "t_duration_seconds", help: "Durations.", labelNames, buckets: BUCKETS, registers: [theirs] });
  const sc = new SeriesCounter({ name: "t_requests_total", help: "Requests.", labelNames, registers: [ours] });
  const sh = new SeriesHistogram({ name: "t_duration_seconds", help: "Durations.", labelNames, buckets: BUCKETS, registers: [ours] });
  // Series made but never updated are not reported (prom-client has no series before its first update).
  sc.series({ route: "/never", model: "none" });
  sh.series({ route: "/never", model: "none" });
  for (const [labels, v] of observations) {
    c.inc(labels, v);
    h.observe(labels, v);
    sc.series(labels).value += v;
    sh.observe(sh.series(labels), v);
  }
  return { theirs, ours };
}

describe("series counters and histograms", () => {
  it("give the exposition text prom-client gives for the same observations, escaping included", async () => {
    const { theirs, ours } = registries();
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('t_duration_seconds_bucket{le="0.005",route="/v1/chat/completions",model="gpt \\"4o\\"\\\\mini\\n"} 2');
  });

  it("merge across workers as prom-client's do (AggregatorRegistry sums them)", async () => {
    const { theirs, ours } = registries();
    const merged = async (r: Registry) => AggregatorRegistry.aggregate([await r.getMetricsAsJSON(), await r.getMetricsAsJSON()]).metrics();
    expect(await merged(ours)).toBe(await merged(theirs));
  });

  it("leave out what prom-client would throw on, and zero in place on reset (kept series keep counting)", async () => {
    const r = new Registry();
    const c = new SeriesCounter({ name: "x_total", help: "x", labelNames: ["k"], registers: [r] });
    const h = new SeriesHistogram({ name: "y_seconds", help: "y", labelNames: ["k"], buckets: [1], registers: [r] });
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, -1, 0]) c.inc({ k: "v" }, v);
    const kept = h.series({ k: "v" });
    h.observe(kept, Number.NaN);
    expect(await r.metrics()).not.toMatch(/^x_total\{|^y_seconds_/m);
    h.observe(kept, 0.5);
    c.inc({ k: "v" });
    r.resetMetrics();
    expect(await r.metrics()).not.toMatch(/^x_total\{|^y_seconds_/m);
    h.observe(kept, 2);
    expect(await r.metrics()).toContain('y_seconds_bucket{le="+Inf",k="v"} 1\ny_seconds_sum{k="v"} 2\ny_seconds_count{k="v"} 1');
  });
});
