import { anySignal } from "./any-signal";

export interface Attempt {
  request: Request;
  /** Whether this attempt's timer fired (as opposed to the caller aborting). */
  readonly timedOut: boolean;
  /** Stops the timer; called once response headers arrive, so a long stream is never cut by `timeout`. */
  clear(): void;
}

/** One try of `original` (never consumed itself, so that it can be tried again) with its own timeout. */
export function startAttempt(original: Request, timeout: number): Attempt {
  const timer = new AbortController();
  let timedOut = false;
  const handle = setTimeout(() => {
    timedOut = true;
    timer.abort(new DOMException(`Request timed out after ${timeout} ms.`, "TimeoutError"));
  }, timeout);
  // The pending fetch keeps a Node process alive by itself; the timer must not do so on its own.
  (handle as { unref?: () => void }).unref?.();
  const request = new Request(original.clone(), { signal: anySignal([original.signal, timer.signal]) });
  return {
    request,
    get timedOut() {
      return timedOut;
    },
    clear: () => clearTimeout(handle),
  };
}
