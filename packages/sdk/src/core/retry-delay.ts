import { parseRetryAfter } from "./parse-retry-after";

const INITIAL_DELAY_MS = 500;
const MAX_BACKOFF_MS = 8_000;

/** Statuses worth another try: timeouts, lock conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Exponential backoff for retry number `retry` (0 for the first retry): 0.5 s, 1 s, 2 s ... up to 8 s, less up to 25 %
 * jitter so that clients refused together do not come back together.
 */
export function backoffDelay(retry: number, random: () => number = Math.random): number {
  const base = Math.min(INITIAL_DELAY_MS * 2 ** retry, MAX_BACKOFF_MS);
  return base * (1 - random() * 0.25);
}

/**
 * The wait before the next try: the server's `retry-after-ms` / `Retry-After` when it sent one, else the backoff.
 * Undefined when the server asks for longer than `maxDelay`: better to surface the error than to hang.
 */
export function retryDelay(
  retry: number,
  headers: Headers | undefined,
  maxDelay: number,
  random: () => number = Math.random,
): number | undefined {
  const asked = headers ? parseRetryAfter(headers) : undefined;
  if (asked !== undefined) return asked <= maxDelay ? asked : undefined;
  return Math.min(backoffDelay(retry, random), maxDelay);
}
