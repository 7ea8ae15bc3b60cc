import type { paths } from "@runestone/contract";
import type { Client, Middleware } from "openapi-fetch";
import type { RequestOptions } from "../client-options";
import { APIConnectionError } from "../errors/api-connection-error";
import { APIUserAbortError } from "../errors/api-user-abort-error";
import { makeError } from "../errors/make-error";
import { RunestoneError } from "../errors/runestone-error";
import { retryMiddleware, type RetryPolicy } from "./retry-middleware";

export type HttpClient = Client<paths, "application/json">;

/** What openapi-fetch returns, loosely: enough to unwrap any operation's result. */
export interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The data of a successful result, without the `undefined` of the error branch. */
export type DataOf<R extends FetchResult> = Exclude<R["data"], undefined>;

/**
 * Spread into an openapi-fetch call: the per-call signal, headers and retry policy. A type alias, not an
 * interface, because openapi-fetch wants an init assignable to an index signature.
 */
export type CallInit = {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  middleware: Middleware[];
};

/** What every operation file receives: the typed HTTP client and the one way to call it. */
export interface Context {
  http: HttpClient;
  /** The client's `timeout` (per-call options override it). */
  timeout: number;
  /** Runs `call` with the client's policy overridden by `options`; network failures become RunestoneErrors. */
  send<R extends FetchResult>(call: (init: CallInit) => Promise<R>, options?: RequestOptions): Promise<R>;
}

export function createContext(http: HttpClient, defaults: RetryPolicy): Context {
  return {
    http,
    timeout: defaults.timeout,
    async send(call, options = {}) {
      const init: CallInit = {
        middleware: [
          retryMiddleware({
            maxRetries: options.maxRetries ?? defaults.maxRetries,
            timeout: options.timeout ?? defaults.timeout,
            maxRetryDelay: defaults.maxRetryDelay,
          }),
        ],
      };
      if (options.signal) init.signal = options.signal;
      if (options.headers) init.headers = options.headers;
      try {
        return await call(init);
      } catch (error) {
        if (error instanceof RunestoneError) throw error;
        if (error instanceof SyntaxError) {
          throw new RunestoneError("The response body is not the JSON the operation promises.", { cause: error });
        }
        if (options.signal?.aborted) throw new APIUserAbortError(undefined, { cause: error });
        throw new APIConnectionError(undefined, { cause: error });
      }
    },
  };
}

/** The data of a successful result, or the status's error class thrown (the OpenAI SDK's way). */
export function unwrap<R extends FetchResult>(result: R): DataOf<R> {
  if (!result.response.ok) throw makeError(result.response.status, result.error, result.response.headers);
  return result.data as DataOf<R>;
}
