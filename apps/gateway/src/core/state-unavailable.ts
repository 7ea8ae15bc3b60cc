// The answer when the shared state backend (Redis) cannot be reached. The gateway fails closed: a
// request is never run without its limits, and never answered 500; the client gets a 503 it may
// retry (Retry-After: 1), and /health reports the state backend unhealthy meanwhile.
import { HttpError } from "./http-error";

export const stateUnavailable = (toDo: string) =>
  new HttpError({ status: 503, type: "overloaded_error", code: "state_unavailable", message: `the gateway cannot reach its state backend ${toDo}; retry shortly`, headers: { "retry-after": "1" } });

/**
 * The errors ioredis gives a command while Redis cannot be reached (its retries used up, or the
 * connection closed under it), as opposed to a command Redis refused, which stays a bug (500).
 */
export function isStateUnreachable(err: unknown): boolean {
  const e = err as { name?: unknown; message?: unknown } | null;
  return e?.name === "MaxRetriesPerRequestError" || e?.message === "Connection is closed." || (typeof e?.message === "string" && e.message.startsWith("LOADING "));
}
