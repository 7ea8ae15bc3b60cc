// Percentiles over latency samples (milliseconds).

/** Linear interpolation between closest ranks; `sorted` ascending. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function median(values) {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** The percentile points the report and the chart draw a distribution from. */
export const DISTRIBUTION_POINTS = [0, 10, 25, 50, 75, 90, 95, 99, 99.9, 100];

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50_ms: ms(percentile(sorted, 50)),
    p90_ms: ms(percentile(sorted, 90)),
    p99_ms: ms(percentile(sorted, 99)),
    mean_ms: ms(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)),
    distribution: DISTRIBUTION_POINTS.map((p) => [p, ms(percentile(sorted, p))]),
  };
}

/** Milliseconds rounded to microseconds. */
export const ms = (x) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
