// A signal that aborts when `outer` does or when `ms` pass, with a timer that is cleared as soon as
// the work ends. Cheaper than AbortSignal.any + AbortSignal.timeout, whose timers and listeners
// outlive the request (measured in bench/: ~7x the cost and held heap under load).

export type DeadlineSignal = AbortSignal & {
  outer: AbortSignal;
  /** True when this deadline (not the outer signal) fired. */
  timedOut(): boolean;
  /** Clears the timer and the link to `outer`; call when the work is done. Idempotent. */
  dispose(): void;
};

export function timeoutError(message: string): Error {
  const err = new Error(message);
  err.name = "TimeoutError";
  return err;
}

const DEADLINE_AT = Symbol("runestone.deadlineAt");
type MarkedSignal = DeadlineSignal & { [DEADLINE_AT]: number };
const notMine = () => false;
const nothingToDispose = () => undefined;

/**
 * Records on `signal` that it aborts by itself at `at` (performance.now() ms): a withDeadline over it that
 * would fire no earlier then returns `signal` itself, with no second controller, timer and listener.
 */
export function markDeadline(signal: AbortSignal, at: number): void {
  // Plain stores, not Object.assign of a literal with a computed key (a few µs per request under load).
  const s = signal as MarkedSignal;
  s[DEADLINE_AT] = at;
  s.outer = signal;
  s.timedOut = notMine;
  s.dispose = nothingToDispose;
}

export function withDeadline(outer: AbortSignal, ms: number, message = "deadline passed"): DeadlineSignal {
  // The outer deadline fires first anyway (a provider's total_ms >= server.request_timeout_ms, both 600 s
  // by default): its own abort reason says the request deadline passed, and timedOut() is false.
  const at = (outer as Partial<MarkedSignal>)[DEADLINE_AT];
  if (at !== undefined && performance.now() + ms >= at) return outer as MarkedSignal;
  const ac = new AbortController();
  let fired = false;
  const onAbort = () => ac.abort(outer.reason);
  let timer: NodeJS.Timeout | undefined;
  if (outer.aborted) ac.abort(outer.reason);
  else {
    outer.addEventListener("abort", onAbort, { once: true });
    timer = setTimeout(() => {
      fired = true;
      ac.abort(timeoutError(message));
    }, ms);
    timer.unref();
  }
  return Object.assign(ac.signal, {
    outer,
    timedOut: () => fired,
    dispose: () => {
      if (timer) clearTimeout(timer);
      outer.removeEventListener("abort", onAbort);
    },
  });
}
