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

const notMine = () => false;
const nothingToDispose = () => undefined;

/** When each marked signal aborts by itself (performance.now() ms). */
const deadlines = new WeakMap<AbortSignal, number>();

/**
 * What makes a marked signal the DeadlineSignal of work it already bounds (its own outer, never timed out on
 * its own account, nothing to dispose), on a prototype slipped under the signal rather than as properties of
 * it: Node 20 makes every AbortSignal with setPrototypeOf, which gives each one a hidden class of its own, so
 * each property added to one builds a new one (~1 µs apiece, four per request; a prototype swap and a
 * WeakMap entry cost a quarter of that; bench/README.md, "Toward issue 14").
 */
const MARKED: object = Object.create(AbortSignal.prototype, {
  outer: {
    get(this: AbortSignal) {
      return this;
    },
  },
  timedOut: { value: notMine },
  dispose: { value: nothingToDispose },
});

/**
 * Records on `signal` that it aborts by itself at `at` (performance.now() ms): a withDeadline over it that
 * would fire no earlier then returns `signal` itself, with no second controller, timer and listener.
 */
export function markDeadline(signal: AbortSignal, at: number): void {
  deadlines.set(signal, at);
  Object.setPrototypeOf(signal, MARKED);
}

export function withDeadline(outer: AbortSignal, ms: number, message = "deadline passed"): DeadlineSignal {
  // The outer deadline fires first anyway (a provider's total_ms >= server.request_timeout_ms, both 600 s
  // by default): its own abort reason says the request deadline passed, and timedOut() is false.
  const at = deadlines.get(outer);
  if (at !== undefined && performance.now() + ms >= at) return outer as DeadlineSignal;
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
