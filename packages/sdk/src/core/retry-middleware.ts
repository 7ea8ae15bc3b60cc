import type { Middleware } from "openapi-fetch";
import { APIConnectionError } from "../errors/api-connection-error";
import { APIConnectionTimeoutError } from "../errors/api-connection-timeout-error";
import { APIUserAbortError } from "../errors/api-user-abort-error";
import { RunestoneError } from "../errors/runestone-error";
import { isRetryableStatus, retryDelay } from "./retry-delay";
import { sleep } from "./sleep";
import { startAttempt, type Attempt } from "./start-attempt";

export interface RetryPolicy {
  /** Retries after the first try (0 disables them). */
  maxRetries: number;
  /** Milliseconds each try may wait for response headers. */
  timeout: number;
  /** The longest single wait between tries, in milliseconds; a longer `Retry-After` is not waited for. */
  maxRetryDelay: number;
}

interface InFlight {
  original: Request;
  attempt: Attempt;
}

/**
 * Timeouts and retries as openapi-fetch middleware. Each try gets its own timeout signal; retryable statuses
 * (408, 409, 429, 5xx) and connection failures are retried with backoff or the server's `Retry-After`. Only the
 * status line decides: once headers are back the response is handed over, so a stream is never replayed after
 * its first byte. Network failures leave as APIConnectionError / APIConnectionTimeoutError / APIUserAbortError.
 * Register it after the middleware that sets headers: it snapshots the request as it sees it.
 */
export function retryMiddleware(policy: RetryPolicy): Middleware {
  const inFlight = new Map<string, InFlight>();

  async function settle(state: InFlight, fetch: typeof globalThis.fetch, first: Response | { error: unknown }) {
    let outcome = first;
    for (let retry = 0; ; retry++) {
      const signal = state.original.signal;
      let delay: number | undefined;
      if (outcome instanceof Response) {
        if (!isRetryableStatus(outcome.status) || retry >= policy.maxRetries) return outcome;
        delay = retryDelay(retry, outcome.headers, policy.maxRetryDelay);
        if (delay === undefined) return outcome;
        await outcome.body?.cancel().catch(() => undefined);
      } else {
        const failure = toConnectionError(outcome.error, signal, state.attempt.timedOut);
        if (failure instanceof APIUserAbortError || retry >= policy.maxRetries) throw failure;
        delay = retryDelay(retry, undefined, policy.maxRetryDelay) ?? 0;
      }
      try {
        await sleep(delay, signal);
      } catch (cause) {
        throw new APIUserAbortError(undefined, { cause });
      }
      state.attempt = startAttempt(state.original, policy.timeout);
      try {
        outcome = await fetch(state.attempt.request);
      } catch (error) {
        outcome = { error };
      } finally {
        state.attempt.clear();
      }
    }
  }

  return {
    onRequest({ request, id }) {
      const attempt = startAttempt(request, policy.timeout);
      inFlight.set(id, { original: request, attempt });
      return attempt.request;
    },
    async onResponse({ response, id, options }) {
      const state = inFlight.get(id);
      if (!state) return undefined;
      inFlight.delete(id);
      state.attempt.clear();
      return settle(state, options.fetch, response);
    },
    async onError({ error, id, options }) {
      const state = inFlight.get(id);
      if (!state) return error instanceof Error ? error : new APIConnectionError(undefined, { cause: error });
      inFlight.delete(id);
      state.attempt.clear();
      return settle(state, options.fetch, { error });
    },
  };
}

function toConnectionError(error: unknown, signal: AbortSignal, timedOut: boolean): RunestoneError {
  if (error instanceof RunestoneError) return error;
  if (timedOut) return new APIConnectionTimeoutError(undefined, { cause: error });
  if (signal.aborted) return new APIUserAbortError(undefined, { cause: error });
  return new APIConnectionError(undefined, { cause: error });
}
