// How long to wait before the next round of attempts: exponential backoff with jitter, or what the
// upstream asked for (Retry-After), within the limits of the request's deadline.

export interface BackoffConfig {
  backoff_base_ms: number;
  backoff_max_ms: number;
}

/**
 * Exponential backoff for retry round `round` (0 for the first retry), capped, with "equal jitter": a
 * random point between half and the whole of the delay, so synchronized clients spread out without
 * ever retrying immediately.
 */
export function backoffDelayMs(round: number, cfg: BackoffConfig, random: () => number = Math.random): number {
  const exp = Math.min(cfg.backoff_max_ms, cfg.backoff_base_ms * 2 ** round);
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
