import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { DeadlineController, realAbortSignal, RequestSignal, timeoutError, withDeadline } from "./deadline";

describe("withDeadline", () => {
  it("aborts with a TimeoutError when the time passes, and says it was the deadline", async () => {
    const d = withDeadline(new AbortController().signal, 20);
    await new Promise((r) => setTimeout(r, 60));
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).name).toBe("TimeoutError");
    expect((d.signal.reason as Error).message).toBe("deadline passed");
    expect(d.timedOut()).toBe(true);
  });

  it("aborts with its own message", async () => {
    const d = withDeadline(new AbortController().signal, 20, "provider total timeout");
    await new Promise((r) => setTimeout(r, 60));
    expect((d.signal.reason as Error).message).toBe("provider total timeout");
  });

  it("follows the outer signal, without calling it a timeout", () => {
    const outer = new AbortController();
    const d = withDeadline(outer.signal, 10_000);
    expect(d.outer).toBe(outer.signal);
    expect(d.signal).not.toBe(outer.signal);
    outer.abort(new Error("client gone"));
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).message).toBe("client gone");
    expect(d.timedOut()).toBe(false);
    d.dispose();
  });

  it("starts aborted over an aborted outer signal, with its reason", () => {
    const outer = new AbortController();
    outer.abort(new Error("client gone"));
    const d = withDeadline(outer.signal, 10_000);
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).message).toBe("client gone");
    expect(d.timedOut()).toBe(false);
    d.dispose();
  });

  it("never fires after dispose, and lets go of the outer signal", async () => {
    const outer = new AbortController();
    const d = withDeadline(outer.signal, 20);
    d.dispose();
    d.dispose();
    await new Promise((r) => setTimeout(r, 60));
    expect(d.signal.aborted).toBe(false);
    expect(d.timedOut()).toBe(false);
    outer.abort(new Error("late"));
    expect(d.signal.aborted).toBe(false);
  });

  it("adds nothing over an outer deadline that fires first: the outer signal, its reason, not this deadline's timeout", () => {
    const outer = new DeadlineController(performance.now() + 1_000);
    const d = withDeadline(outer.signal, 5_000);
    expect(d.signal).toBe(outer.signal);
    expect(d.outer).toBe(outer.signal);
    outer.abort(timeoutError("request deadline passed"));
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).name).toBe("TimeoutError");
    expect(d.timedOut()).toBe(false);
    d.dispose();
  });

  it("still runs its own timer when it is shorter than the outer deadline", async () => {
    const outer = new DeadlineController(performance.now() + 10_000);
    const d = withDeadline(outer.signal, 20);
    expect(d.signal).not.toBe(outer.signal);
    await new Promise((r) => setTimeout(r, 60));
    expect(d.signal.aborted).toBe(true);
    expect(d.timedOut()).toBe(true);
    expect(outer.signal.aborted).toBe(false);
  });

  it("gives both kinds one shape", () => {
    const outer = new DeadlineController(performance.now() + 10_000);
    const covered = withDeadline(outer.signal, 20_000);
    const own = withDeadline(outer.signal, 20);
    expect(covered.signal).toBe(outer.signal);
    expect(own.signal).not.toBe(outer.signal);
    expect(Object.keys(covered)).toEqual(Object.keys(own));
    own.dispose();
  });

  it("calls a watcher on the covering controller after the signal's listeners, once, without a listener of its own", () => {
    const outer = new DeadlineController(performance.now() + 10_000);
    const d = withDeadline(outer.signal, 20_000);
    const heard: string[] = [];
    outer.signal.addEventListener("abort", () => heard.push("listener"));
    d.watch(() => heard.push(`watcher ${(d.signal.reason as Error).message}`));
    expect(outer.watcher).toBeDefined();
    outer.abort(timeoutError("request deadline passed"));
    outer.abort(new Error("again"));
    expect(heard).toEqual(["listener", "watcher request deadline passed"]);
    expect((outer.signal.reason as Error).name).toBe("TimeoutError");
    d.unwatch();
    d.dispose();
  });

  it("aborts the covering controller with an AbortError when given no reason, as AbortController does", () => {
    const outer = new DeadlineController(performance.now() + 10_000);
    const d = withDeadline(outer.signal, 20_000);
    let reason: unknown;
    d.watch(() => (reason = d.signal.reason));
    outer.abort();
    expect((reason as Error).name).toBe("AbortError");
    expect(reason).toBe(outer.signal.reason);
  });

  it("calls no watcher after unwatch or dispose", () => {
    const outer = new DeadlineController(performance.now() + 10_000);
    const heard: string[] = [];
    const a = withDeadline(outer.signal, 20_000);
    a.watch(() => heard.push("a"));
    a.unwatch();
    a.unwatch();
    const b = withDeadline(outer.signal, 20_000);
    b.watch(() => heard.push("b"));
    b.dispose();
    expect(outer.watcher).toBeUndefined();
    outer.abort();
    expect(heard).toEqual([]);
  });

  it("watches as a listener when the covering controller already has a watcher, and on a deadline of its own", async () => {
    const outer = new DeadlineController(performance.now() + 10_000);
    const heard: string[] = [];
    const a = withDeadline(outer.signal, 20_000);
    const b = withDeadline(outer.signal, 20_000);
    a.watch(() => heard.push("a"));
    b.watch(() => heard.push("b"));
    const own = withDeadline(outer.signal, 20);
    own.watch(() => heard.push(`own ${own.timedOut()}`));
    await new Promise((r) => setTimeout(r, 60));
    expect(heard).toEqual(["own true"]);
    b.unwatch();
    outer.abort();
    expect(heard).toEqual(["own true", "a"]);
    const gone = new AbortController();
    const plain = withDeadline(gone.signal, 10_000);
    plain.watch(() => heard.push("plain"));
    gone.abort();
    expect(heard).toEqual(["own true", "a", "plain"]);
    plain.dispose();
  });
});

/**
 * What a script of listeners, an onabort handler and removals sees when `abort` runs twice: every observation in
 * order (aborted and reason as each listener sees them, `this`, the event's type and target, what is left listening).
 */
function observe(signal: AbortSignal, abort: (reason?: unknown) => void, reason?: unknown): unknown[] {
  const seen: unknown[] = [];
  const look = (who: string) => (ev: Event) => seen.push([who, signal.aborted, signal.reason, ev.type, ev.target === signal]);
  signal.addEventListener("abort", look("first"));
  signal.addEventListener("abort", look("once"), { once: true });
  const removed = look("removed");
  signal.addEventListener("abort", removed);
  signal.onabort = function (this: AbortSignal, ev: Event) {
    seen.push(["onabort, replaced", this === signal]);
    void ev;
  };
  signal.addEventListener("abort", look("last"));
  signal.addEventListener("abort", { handleEvent: look("object") });
  signal.onabort = function (this: AbortSignal, ev: Event) {
    seen.push(["onabort", this === signal, ev.type, signal.aborted]);
  };
  signal.removeEventListener("abort", removed);
  seen.push(["before", signal.aborted, signal.reason, (() => (signal.throwIfAborted(), "no throw"))()]);
  abort(reason);
  abort(new Error("again"));
  let thrown: unknown;
  try {
    signal.throwIfAborted();
  } catch (err) {
    thrown = err;
  }
  seen.push(["after", signal.aborted, thrown === signal.reason, getEventListeners(signal, "abort").length]);
  return seen;
}

describe("RequestSignal (the request's signal)", () => {
  it("is typed as an AbortSignal and made without an AbortController", () => {
    const dc = new DeadlineController(performance.now() + 1_000);
    const signal: AbortSignal = dc.signal;
    expect(signal).toBeInstanceOf(RequestSignal);
    expect(signal).toBeInstanceOf(EventTarget);
    expect(signal.aborted).toBe(false);
    expect(signal.reason).toBeUndefined();
    expect(signal.onabort).toBeNull();
  });

  it("is seen aborting as an AbortController's signal is: aborted and reason set before the listeners, in order, once-listeners and onabort, a removed listener not called, a second abort a no-op", () => {
    const reason = new Error("client gone");
    const real = new AbortController();
    const dc = new DeadlineController(performance.now() + 1_000);
    const expected = observe(real.signal, (r) => real.abort(r), reason);
    expect(observe(dc.signal, (r) => dc.abort(r), reason)).toEqual(expected);
    expect(expected).toEqual([
      ["before", false, undefined, "no throw"],
      ["first", true, reason, "abort", true],
      ["once", true, reason, "abort", true],
      ["onabort", true, "abort", true],
      ["last", true, reason, "abort", true],
      ["object", true, reason, "abort", true],
      // "once" is gone; the onabort handler's listener stays, as the others.
      ["after", true, true, 4],
    ]);
    expect(dc.signal.reason).toBe(reason);
  });

  it("aborts with an AbortError DOMException when given no reason, as AbortController does", () => {
    const real = new AbortController();
    const dc = new DeadlineController(performance.now() + 1_000);
    real.abort();
    dc.abort();
    const r = dc.signal.reason as DOMException;
    expect(r).toBeInstanceOf(DOMException);
    expect([r.name, r.message]).toEqual([(real.signal.reason as DOMException).name, (real.signal.reason as DOMException).message]);
    expect(() => dc.signal.throwIfAborted()).toThrow(r);
  });

  it("calls a onabort handler set to null no more, and a handler set after the abort never", () => {
    const dc = new DeadlineController(performance.now() + 1_000);
    const heard: string[] = [];
    dc.signal.onabort = () => heard.push("first");
    dc.signal.onabort = null;
    expect(dc.signal.onabort).toBeNull();
    dc.abort();
    dc.signal.onabort = () => heard.push("late");
    dc.abort();
    expect(heard).toEqual([]);
  });

  it("gives AbortSignal.any a real signal that follows it (the job runner's deadline): aborted with its reason, after its listeners, before the watcher", () => {
    const dc = new DeadlineController(performance.now() + 10_000);
    const heard: string[] = [];
    dc.signal.addEventListener("abort", () => heard.push("listener"));
    const real = realAbortSignal(dc.signal);
    expect(real).toBeInstanceOf(AbortSignal);
    expect(realAbortSignal(dc.signal)).toBe(real);
    const any = AbortSignal.any([real, AbortSignal.timeout(60_000)]);
    any.addEventListener("abort", () => heard.push(`any ${(any.reason as Error).message}`));
    withDeadline(dc.signal, 20_000).watch(() => heard.push("watcher"));
    dc.abort(new Error("client gone"));
    expect(any.aborted).toBe(true);
    expect(any.reason).toBe(dc.signal.reason);
    expect(heard).toEqual(["listener", "any client gone", "watcher"]);
    // Made after the abort: already aborted, with the same reason.
    const late = AbortSignal.any([realAbortSignal(dc.signal)]);
    expect(late.aborted && late.reason).toBe(dc.signal.reason);
    const fresh = new DeadlineController(performance.now() + 10_000);
    fresh.abort(new Error("deadline"));
    expect(realAbortSignal(fresh.signal).reason).toBe(fresh.signal.reason);
  });

  it("hands a real AbortSignal through realAbortSignal unchanged", () => {
    const ac = new AbortController();
    expect(realAbortSignal(ac.signal)).toBe(ac.signal);
  });
});
