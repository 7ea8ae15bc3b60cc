// A provider's total timeout over the caller's signal: `signal` aborts when `outer` does or when `ms` pass,
// with a timer that is cleared as soon as the work ends. Cheaper than AbortSignal.any + AbortSignal.timeout,
// whose timers and listeners outlive the request (measured in bench/: ~7x the cost and held heap under load).

export function timeoutError(message: string): Error {
  const err = new Error(message);
  err.name = "TimeoutError";
  return err;
}

/**
 * The request's own signal (DeadlineController.signal): an EventTarget with AbortSignal's members and, for what
 * the gateway does with it, its behaviour: abort sets `aborted` and `reason`, then dispatches one 'abort' Event
 * (listeners in order, `{ once: true }` honoured, `onabort` where it was first set, as Node's event handler
 * attribute), once. Made for ~0.15 µs where `new AbortController()` costs 3-8 µs in Node 20 (its signal is built
 * with setPrototypeOf) and ~1.4 KB of heap to this one's ~0.6 KB. It is NOT a real AbortSignal: everything the request
 * signal reaches duck-types it (undici's dispatcher.request, the AWS SDK's handlers, Node's validateAbortSignal;
 * fetch and events.addAbortListener also take it in Node 20.20); AbortSignal.any links its sources through Node's
 * internal symbols, accepts this object and never aborts: give it (and any API that brand-checks) realAbortSignal().
 */
export class RequestSignal extends EventTarget implements AbortSignal {
  private abortedYet = false;
  private abortReason: unknown = undefined;
  /** A real AbortSignal that follows this one (realAbortSignal()), made on first use. */
  private real: AbortController | undefined = undefined;
  private handler: ((this: AbortSignal, ev: Event) => unknown) | null = null;
  private handlerListening = false;

  constructor(readonly controller: DeadlineController) {
    super();
  }

  /** Read-only, as a real signal's: only abortWith() (DeadlineController.abort) sets them. */
  get aborted(): boolean {
    return this.abortedYet;
  }

  get reason(): unknown {
    return this.abortReason;
  }

  get onabort(): ((this: AbortSignal, ev: Event) => unknown) | null {
    return this.handler;
  }

  /** As Node's event handler attribute: one listener added when first set, calling whatever handler is set then. */
  set onabort(value: ((this: AbortSignal, ev: Event) => unknown) | null) {
    this.handler = value;
    if (this.handlerListening) return;
    this.handlerListening = true;
    this.addEventListener("abort", (ev) => {
      const handler = this.handler;
      if (typeof handler === "function") handler.call(this, ev);
    });
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** A real AbortSignal that aborts with this one's reason, right after this one's listeners ran. */
  realSignal(): AbortSignal {
    let real = this.real;
    if (real === undefined) {
      real = this.real = new AbortController();
      if (this.aborted) real.abort(this.reason);
    }
    return real.signal;
  }

  /** DeadlineController.abort's: does nothing once aborted. */
  abortWith(reason: unknown): boolean {
    if (this.abortedYet) return false;
    this.abortedYet = true;
    this.abortReason = reason;
    this.dispatchEvent(new Event("abort"));
    this.real?.abort(reason);
    return true;
  }
}

/**
 * `signal` itself, or for a request signal (RequestSignal) a real AbortSignal that follows it: for AbortSignal.any
 * and any API that brand-checks its signal.
 */
export function realAbortSignal(signal: AbortSignal): AbortSignal {
  return signal instanceof RequestSignal ? signal.realSignal() : signal;
}

/**
 * The request's own signal (pipeline/upstream-signal.ts) and when it aborts by itself (`at`, performance.now() ms).
 * A withDeadline over its signal that would fire no earlier hands on the signal itself, with no second controller,
 * timer and listener; and the one watcher put on it through that Deadline (fetchText's) is called by abort()
 * itself, right after the signal's listeners, rather than as an 'abort' listener (addEventListener +
 * removeEventListener cost ~2 µs a request). The signal is a RequestSignal, not an AbortController's: it links
 * back to this controller (withDeadline finds it there) and costs no AbortController per request.
 */
export class DeadlineController {
  readonly signal: RequestSignal;
  /** Called once by the first abort() (Deadline.watch); one at a time. */
  watcher: (() => void) | undefined = undefined;

  constructor(readonly at: number) {
    this.signal = new RequestSignal(this);
  }

  /**
   * Aborts the signal (its 'abort' listeners, then its real signal's if one was made, then the watcher) with
   * `reason`, or without one with an AbortError as AbortController does; does nothing once it is aborted.
   */
  abort(reason: unknown = new DOMException("This operation was aborted", "AbortError")): void {
    if (!this.signal.abortWith(reason)) return;
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
  const covering = outer instanceof RequestSignal ? outer.controller : undefined;
  if (covering !== undefined && performance.now() + ms >= covering.at) return new Deadline(outer, ms, message, covering);
  return new Deadline(outer, ms, message);
}
