import { describe, expect, it } from "vitest";
import { markDeadline, timeoutError, withDeadline } from "./deadline";

describe("withDeadline", () => {
  it("aborts with a TimeoutError when the time passes, and says it was the deadline", async () => {
    const d = withDeadline(new AbortController().signal, 20);
    await new Promise((r) => setTimeout(r, 60));
    expect(d.aborted).toBe(true);
    expect((d.reason as Error).name).toBe("TimeoutError");
    expect(d.timedOut()).toBe(true);
  });

  it("follows the outer signal, without calling it a timeout", () => {
    const outer = new AbortController();
    const d = withDeadline(outer.signal, 10_000);
    outer.abort(new Error("client gone"));
    expect(d.aborted).toBe(true);
    expect((d.reason as Error).message).toBe("client gone");
    expect(d.timedOut()).toBe(false);
    d.dispose();
  });

  it("never fires after dispose", async () => {
    const d = withDeadline(new AbortController().signal, 20);
    d.dispose();
    await new Promise((r) => setTimeout(r, 60));
    expect(d.aborted).toBe(false);
  });

  it("adds nothing over an outer deadline that fires first: the outer signal, its reason, not this deadline's timeout", () => {
    const outer = new AbortController();
    markDeadline(outer.signal, performance.now() + 1_000);
    const d = withDeadline(outer.signal, 5_000);
    expect(d).toBe(outer.signal);
    outer.abort(timeoutError("request deadline passed"));
    expect(d.aborted).toBe(true);
    expect((d.reason as Error).name).toBe("TimeoutError");
    expect(d.timedOut()).toBe(false);
    d.dispose();
  });

  it("leaves a marked signal a working AbortSignal (its listeners, reason and brand checks)", () => {
    const outer = new AbortController();
    markDeadline(outer.signal, performance.now() + 1_000);
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
    const outer = new AbortController();
    markDeadline(outer.signal, performance.now() + 10_000);
    const d = withDeadline(outer.signal, 20);
    expect(d).not.toBe(outer.signal);
    await new Promise((r) => setTimeout(r, 60));
    expect(d.aborted).toBe(true);
    expect(d.timedOut()).toBe(true);
    expect(outer.signal.aborted).toBe(false);
  });
});
