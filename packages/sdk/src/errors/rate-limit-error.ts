import { parseRetryAfter } from "../core/parse-retry-after";
import { RunestoneError, type RunestoneErrorInit } from "./runestone-error";

/** HTTP 429: a tenant limit was hit. `retryAfter` says how long the gateway asked to wait. */
export class RateLimitError extends RunestoneError {
  override name = "RateLimitError";
  /** Seconds to wait before retrying, from `retry-after-ms` or `Retry-After`; undefined when absent. */
  readonly retryAfter: number | undefined;

  constructor(message: string, init: RunestoneErrorInit = {}) {
    super(message, init);
    const ms = init.headers ? parseRetryAfter(init.headers) : undefined;
    this.retryAfter = ms === undefined ? undefined : ms / 1000;
  }
}
