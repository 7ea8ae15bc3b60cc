// One error class for every upstream failure; `retryable` drives retries, fallback and breakers.
import { redactExcerpt } from "./redact-secrets";
import type { Attempt } from "./route-plan";

export type UpstreamErrorKind =
  | "http" // the upstream answered an error status
  | "connection" // could not connect / connection reset
  | "timeout" // a deadline passed (connect, first byte, idle, total)
  | "protocol" // malformed payload, stream cut before its final event
  | "configuration" // our side is misconfigured (no key, upstream 401/403)
  | "aborted"; // the client went away

/**
 * The longest message relayed. An upstream's error text can be megabytes (the body cap is 32 MiB); it is cut
 * to a window, redacted, then cut to this, so redaction never runs over the whole body.
 */
export const MAX_UPSTREAM_MESSAGE_CHARS = 1000;
/** Type, code and param are identifiers; an upstream's are cut shorter. */
const MAX_UPSTREAM_FIELD_CHARS = 200;

export interface UpstreamErrorInit {
  kind: UpstreamErrorKind;
  message: string;
  status?: number;
  type?: string;
  code?: string | null;
  param?: string | null;
  retryable?: boolean;
  retryAfterMs?: number;
  provider?: string;
  quotaExceeded?: boolean;
}

export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  /** The upstream's HTTP status, when it answered one. */
  readonly status?: number;
  readonly type?: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /**
   * The deployment's service quota is exceeded (Bedrock's ServiceQuotaExceededException): relayed as a rate limit
   * the client may retry later, but not one a backoff within this request clears, so the executor should not try
   * this deployment again in the request's later rounds (other candidates may still answer).
   */
  readonly quotaExceeded: boolean;
  provider?: string;
  /**
   * Set by the executor when this failure ends the request: the last candidate tried, with the fallbacks and
   * retries before it, for the error answer's x-runestone-provider / -model / -fallbacks (http/error-handler.ts).
   */
  attempt?: Attempt;

  constructor(init: UpstreamErrorInit) {
    // Every text here may have come from the upstream and will be relayed or logged: secrets never pass.
    super(redactExcerpt(String(init.message), MAX_UPSTREAM_MESSAGE_CHARS));
    this.name = "UpstreamError";
    this.kind = init.kind;
    this.status = init.status;
    this.type = init.type === undefined ? undefined : redactExcerpt(String(init.type), MAX_UPSTREAM_FIELD_CHARS);
    this.code = init.code == null ? null : redactExcerpt(String(init.code), MAX_UPSTREAM_FIELD_CHARS);
    this.param = init.param == null ? null : redactExcerpt(String(init.param), MAX_UPSTREAM_FIELD_CHARS);
    this.retryable = init.retryable ?? defaultRetryable(init.kind, init.status);
    this.retryAfterMs = init.retryAfterMs;
    this.quotaExceeded = init.quotaExceeded ?? false;
    this.provider = init.provider;
  }
}

/** 408, 409, 429 and 5xx are retryable, as are connection failures and timeouts. */
export function defaultRetryable(kind: UpstreamErrorKind, status?: number): boolean {
  if (kind === "connection" || kind === "timeout") return true;
  if (kind === "configuration" || kind === "aborted") return false;
  if (kind === "protocol") return true;
  if (status === undefined) return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Reads `retry-after-ms` (milliseconds) or `Retry-After` (seconds or an HTTP date). */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const ms = first(headers["retry-after-ms"]);
  if (ms !== undefined) {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return n;
  }
  const ra = first(headers["retry-after"]);
  if (ra === undefined) return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(ra);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
