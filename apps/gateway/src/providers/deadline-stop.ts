// Why a provider call stopped when its deadline's signal aborted, the same for every provider: the provider's
// own total timeout, the request deadline, or the caller gone (client away, job cancelled).
import { UpstreamError } from "../core/upstream-error";
import type { Deadline } from "../resilience/deadline";

/** The failure of a call stopped by `d` (a `totalMs` total timeout); undefined when `d` did not stop it. */
export function deadlineStop(d: Deadline, totalMs: number, provider?: string): UpstreamError | undefined {
  const { outer, signal } = d;
  if (!outer.aborted && d.timedOut()) {
    return new UpstreamError({ kind: "timeout", message: `no complete answer within the total timeout (${totalMs} ms)`, provider });
  }
  if (!signal.aborted) return undefined;
  const reason = outer.reason as { name?: string } | undefined;
  if (reason?.name === "TimeoutError") return new UpstreamError({ kind: "timeout", message: "the request deadline passed", provider });
  return new UpstreamError({ kind: "aborted", message: "request aborted", provider });
}
