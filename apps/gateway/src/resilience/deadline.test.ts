import { describe, expect, it } from "vitest";
import { DeadlineController, timeoutError, withDeadline } from "./deadline";

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

  it("leaves the request signal as it was: a plain AbortSignal (its prototype, listeners, reason and brand checks)", () => {
    const outer = new DeadlineController(performance.now() + 1_000);
    expect(Object.getPrototypeOf(outer.signal)).toBe(AbortSignal.prototype);
    expect(Object.keys(outer.signal)).toEqual(Object.keys(new AbortController().signal));
    expect(Object.getOwnPropertySymbols(outer.signal)).toEqual(Object.getOwnPropertySymbols(new AbortController().signal));
    const heard: unknown[] = [];
    outer.signal.addEventListener("abort", () => heard.push(outer.signal.reason));
    expect(outer.signal).toBeInstanceOf(AbortSignal);
    expect(() => outer.signal.throwIfAborted()).not.toThrow();
    const any = AbortSignal.any([outer.signal]);
    outer.abort(new Error("gone"));
    expect(heard).toEqual([outer.signal.reason]);
    expect(any.aborted && (any.reason as Error).message).toBe("gone");
    expect(() => outer.signal.throwIfAborted()).toThrow("gone");
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
