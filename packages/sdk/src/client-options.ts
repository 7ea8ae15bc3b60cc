export interface ClientOptions {
  /** The gateway's origin, e.g. `http://127.0.0.1:8080`. A trailing `/v1` (the OpenAI habit) is tolerated. */
  baseUrl: string;
  /** The tenant's API key, sent as `Authorization: Bearer <key>`. Health checks need none. */
  apiKey?: string | undefined;
  /** A fetch implementation taking a `Request` (defaults to `globalThis.fetch`); useful for proxies and tests. */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Milliseconds each try may wait for response headers. Default 600 000 (10 minutes). Under `waitForQueued`, also
   * the longest wait for a queued request's job.
   */
  timeout?: number | undefined;
  /** Retries after the first try on 408, 409, 429, 5xx and connection failures. Default 2. */
  maxRetries?: number | undefined;
  /** The longest single wait between tries, in milliseconds; a longer `Retry-After` is not waited for. Default 60 000. */
  maxRetryDelay?: number | undefined;
  /** Headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /**
   * When a chat call is answered `202` (queued), wait for its job (`jobs.wait`, bounded by `timeout`) and return
   * the completion instead of the QueuedResponse (`create`), or stream it as the gateway's chunks (`stream`); a job
   * that ends without one throws JobError. `responses.create` likewise returns its job's response. Default false:
   * chat's `create` returns the QueuedResponse, and `stream` and `responses.create` throw QueuedError, which names
   * the job.
   */
  waitForQueued?: boolean | undefined;
}

/** Per-call overrides, the last argument of every method. */
export interface RequestOptions {
  /** Aborts the call (or the stream) when it fires; the method then throws APIUserAbortError. */
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  headers?: Record<string, string> | undefined;
}

export const DEFAULT_TIMEOUT_MS = 600_000;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;
