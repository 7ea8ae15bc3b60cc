// A provider's total timeout over the caller's signal: `signal` aborts when `outer` does or when `ms` pass,
// with a timer that is cleared as soon as the work ends. Cheaper than AbortSignal.any + AbortSignal.timeout,
// whose timers and listeners outlive the request (measured in bench/: ~7x the cost and held heap under load).

export function timeoutError(message: string): Error {
  const err = new Error(message);
  err.name = "TimeoutError";
  return err;
}

/** Each request signal's controller (DeadlineController), found from the signal a provider is given. */
const controllers = new WeakMap<AbortSignal, DeadlineController>();

/**
 * The request's own signal (pipeline/upstream-signal.ts): one AbortController that knows when it aborts by itself
 * (`at`, performance.now() ms). A withDeadline over its signal that would fire no earlier hands on the signal itself,
 * with no second controller, timer and listener; and the one watcher put on it through that Deadline (fetchText's)
 * is called by abort() itself, right after the signal's listeners, rather than as an 'abort' listener
 * (addEventListener + removeEventListener cost ~2 µs a request). Nothing is added to the signal: Node 20 makes
 * every AbortSignal with setPrototypeOf, so a property or a prototype swap on one costs ~1 µs (bench/README.md,
 * "Toward issue 14"); a WeakMap entry finds the controller.
 */
export class DeadlineController {
  readonly signal: AbortSignal;
  /** Called once by the first abort() (Deadline.watch); one at a time. */
  watcher: (() => void) | undefined = undefined;
  private readonly ac: AbortController;

  constructor(readonly at: number) {
    this.ac = new AbortController();
    this.signal = this.ac.signal;
    controllers.set(this.signal, this);
  }

  /** Aborts the signal (its 'abort' listeners, then the watcher); does nothing once it is aborted. */
  abort(reason?: unknown): void {
    if (this.signal.aborted) return;
    this.ac.abort(reason);
    const watcher = this.watcher;
    if (watcher !== undefined) {
      this.watcher = undefined;
      watcher();
    }
  }
}

/** The work's signal and what it takes to tell its own timeout from the caller's abort. One shape for both kinds. */
export class Deadline {
  /** What the work aborts on: `outer` itself when the outer deadline covers this one. */
  readonly signal: AbortSignal;
  /** The caller's signal (client gone, request deadline). */
  readonly outer: AbortSignal;
  private fired = false;
  private timer: NodeJS.Timeout | undefined = undefined;
  private onAbort: (() => void) | undefined = undefined;
  /** The controller of `outer` when it covers this deadline: watch() puts its watcher there. */
  private readonly covering: DeadlineController | undefined;
  private watching: (() => void) | undefined = undefined;
  private listening = false;

  /**
   * Given `covering` (the controller of `outer`), `signal` is `outer` itself, with nothing of its own to time or
   * dispose; else a signal of its own that follows `outer` and aborts with a TimeoutError(`message`) once `ms` pass.
   */
  constructor(outer: AbortSignal, ms: number, message: string, covering?: DeadlineController) {
    this.outer = outer;
    this.covering = covering;
    if (covering !== undefined) {
      this.signal = outer;
      return;
    }
    const ac = new AbortController();
    this.signal = ac.signal;
    if (outer.aborted) {
      ac.abort(outer.reason);
      return;
    }
    const onAbort = () => ac.abort(outer.reason);
    this.onAbort = onAbort;
    outer.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => {
      this.fired = true;
      ac.abort(timeoutError(message));
    }, ms);
    timer.unref();
    this.timer = timer;
  }

  /** True when this deadline (not the outer signal) fired. */
  timedOut(): boolean {
    return this.fired;
  }

  /**
   * Calls `fn` when `signal` aborts, until unwatch() (one watcher at a time): on the covering controller when it
   * has none yet (called by its abort(), no listener), else as an 'abort' listener of `signal`.
   */
  watch(fn: () => void): void {
    const covering = this.covering;
    if (covering !== undefined && covering.watcher === undefined) covering.watcher = fn;
    else {
      this.signal.addEventListener("abort", fn);
      this.listening = true;
    }
    this.watching = fn;
  }

  /** Takes back the watcher of watch(). Idempotent. */
  unwatch(): void {
    const fn = this.watching;
    if (fn === undefined) return;
    this.watching = undefined;
    if (this.listening) {
      this.listening = false;
      this.signal.removeEventListener("abort", fn);
    } else if (this.covering !== undefined && this.covering.watcher === fn) this.covering.watcher = undefined;
  }

  /** Clears the timer, the link to `outer` and the watcher; call when the work is done. Idempotent. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.onAbort) this.outer.removeEventListener("abort", this.onAbort);
    this.unwatch();
  }
}

export function withDeadline(outer: AbortSignal, ms: number, message = "deadline passed"): Deadline {
  // The outer deadline fires first anyway (a provider's total_ms >= server.request_timeout_ms, both 600 s
  // by default): its own abort reason says the request deadline passed, and timedOut() is false.
  const covering = controllers.get(outer);
  if (covering !== undefined && performance.now() + ms >= covering.at) return new Deadline(outer, ms, message, covering);
  return new Deadline(outer, ms, message);
}
