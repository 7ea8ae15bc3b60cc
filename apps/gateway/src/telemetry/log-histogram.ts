// Log-scale histogram buckets for durations: constant memory, O(1) to record, percentiles within about
// 10 % (each bucket is 20 % wide and is read at its geometric middle). 0.01 ms to ~10 minutes.
const MIN_MS = 0.01;
const GROWTH = 1.2;
const INV_LN_GROWTH = 1 / Math.log(GROWTH);
/** Bucket 0 holds everything below MIN_MS, the last everything beyond the range. */
export const BUCKETS = 104;

export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** The bucket of a duration in milliseconds (NaN and negatives go to bucket 0). */
export function bucketOf(ms: number): number {
  if (!(ms >= MIN_MS)) return 0;
  const i = 1 + Math.floor(Math.log(ms / MIN_MS) * INV_LN_GROWTH);
  return i < BUCKETS - 1 ? i : BUCKETS - 1;
}

/** The duration a bucket stands for: its geometric middle (the lower bound for the two open-ended ones). */
export function bucketValue(i: number): number {
  if (i <= 0) return 0;
  if (i >= BUCKETS - 1) return MIN_MS * GROWTH ** (BUCKETS - 2);
  return MIN_MS * GROWTH ** (i - 0.5);
}

export function percentiles(hist: ArrayLike<number>): Percentiles {
  let count = 0;
  for (let i = 0; i < hist.length; i++) count += hist[i]!;
  if (!count) return { count, p50: null, p95: null, p99: null };
  return { count, p50: quantile(hist, count, 0.5), p95: quantile(hist, count, 0.95), p99: quantile(hist, count, 0.99) };
}

function quantile(hist: ArrayLike<number>, count: number, q: number): number {
  const rank = Math.max(1, Math.ceil(q * count));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= rank) return Math.round(bucketValue(i) * 1000) / 1000;
  }
  return Math.round(bucketValue(hist.length - 1) * 1000) / 1000;
}
