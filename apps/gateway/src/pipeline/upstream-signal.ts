// What a route hands the executor: a signal that aborts when the client goes away or the request
// deadline passes, and the in-flight tracker that accounting reads if the client leaves before any
// answer (usage-seen.ts). One DeadlineController and one timer, cleared when the response closes
// (AbortSignal.any + AbortSignal.timeout cost ~7x more under load). Its signal is a RequestSignal
// (resilience/deadline.ts), not an AbortController's (3-8 µs each in Node 20): duck-typed as AbortSignal by
// everything it reaches; AbortSignal.any, or an API that brand-checks, must be given realAbortSignal(signal).
import type { Response } from "express";
import { DeadlineController, timeoutError } from "../resilience/deadline";
import type { InFlight } from "../core/route-plan";
import { contextOf, type RequestContext } from "../core/request-context";
import { onClose } from "../core/on-close";

export function upstreamSignal(res: Response, timeoutMs: number, ctx: RequestContext = contextOf(res)): { signal: AbortSignal; inFlight: InFlight } {
  // A provider's total timeout that this deadline covers then costs no second timer (resilience/deadline.ts).
  const dc = new DeadlineController(performance.now() + timeoutMs);
  const timer = setTimeout(() => dc.abort(timeoutError("request deadline passed")), timeoutMs);
  // Aborted only when the response was not handed to Node in full (a client gone mid-answer or mid-stream):
  // once res.end() ran nothing upstream is left to cancel, though under load the socket may still hold
  // unflushed bytes at "close" (writableFinished false), where abort() and its event dispatch were waste.
  onClose(res, () => {
    clearTimeout(timer);
    if (!res.writableEnded) dc.abort();
  });
  const inFlight: InFlight = {};
  ctx.inFlight = inFlight;
  return { signal: dc.signal, inFlight };
}
