// The breaker's state machine on a fake clock: when it opens, how long it stays open, how it recovers.
import { describe, expect, it } from "vitest";
import { resilienceSchema } from "../config/schema";
import { CircuitBreaker, type BreakerState } from "./circuit-breaker";

function setup(overrides: Partial<ReturnType<typeof resilienceSchema.parse>["breaker"]> = {}) {
  let now = 1_000_000;
  const changes: BreakerState[] = [];
  const cfg = { ...resilienceSchema.parse({}).breaker, window_ms: 10_000, minimum_requests: 10, failure_rate: 0.5, consecutive_failures: 5, open_ms: 1_000, ...overrides };
  const b = new CircuitBreaker("openai", "gpt-x", cfg, (_b, s) => changes.push(s), () => now);
  const call = (ok: boolean, retryAfterMs?: number) => {
    const permit = b.tryAcquire();
    if (!permit) return false;
    if (ok) b.onSuccess(permit);
    else b.onFailure(permit, retryAfterMs);
    return true;
  };
  return { b, changes, call, advance: (ms: number) => (now += ms) };
}

describe("circuit breaker", () => {
  it("opens after the configured number of consecutive failures, whatever the volume", () => {
    const { b, call } = setup();
    for (let i = 0; i < 4; i++) call(false);
    expect(b.state).toBe("closed");
    call(false);
    expect(b.state).toBe("open");
    expect(b.tryAcquire()).toBeUndefined();
  });

  it("opens on the failure rate only once the window holds the minimum volume", () => {
    const { b, call } = setup({ consecutive_failures: 100 });
    for (let i = 0; i < 4; i++) {
      call(false);
      call(true);
    }
    expect(b.state).toBe("closed"); // 4 of 8: 50 %, but below 10 calls
    call(false);
    expect(b.state).toBe("closed"); // 5 of 9
    call(true);
    expect(b.state).toBe("closed"); // 5 of 10 = 50 %: evaluated on failures only
    call(false);
    expect(b.state).toBe("open"); // 6 of 11
  });

  it("forgets failures older than the window", () => {
    const { b, call, advance } = setup({ consecutive_failures: 100, minimum_requests: 4 });
    call(false);
    call(false);
    call(false);
    advance(11_000);
    call(true);
    call(true);
    call(true);
    call(false);
    expect(b.state).toBe("closed"); // 1 of 4 in the window
  });

  it("lets one probe through after the cooldown and closes on its success", () => {
    const { b, changes, call, advance } = setup({ consecutive_failures: 2 });
    call(false);
    call(false);
    advance(999);
    expect(b.tryAcquire()).toBeUndefined();
    advance(1);
    const probe = b.tryAcquire();
    expect(probe?.probe).toBe(true);
    expect(b.tryAcquire()).toBeUndefined(); // one probe at a time
    b.onSuccess(probe!);
    expect(b.state).toBe("closed");
    expect(changes).toEqual(["open", "half_open", "closed"]);
    expect(call(false)).toBe(true); // counts start over after closing
    expect(b.state).toBe("closed");
  });

  it("opens again for a full cooldown when the probe fails", () => {
    const { b, call, advance } = setup({ consecutive_failures: 1 });
    call(false);
    advance(1_000);
    call(false);
    expect(b.state).toBe("open");
    expect(b.retryInMs()).toBe(1_000);
  });

  it("frees the probe slot when the probe's outcome says nothing about health", () => {
    const { b, call, advance } = setup({ consecutive_failures: 1 });
    call(false);
    advance(1_000);
    b.onNeutral(b.tryAcquire()!);
    expect(b.tryAcquire()?.probe).toBe(true);
  });

  it("stays open exactly as long as a 429's Retry-After asks", () => {
    const { b, call, advance } = setup();
    call(false, 5_000);
    expect(b.state).toBe("open");
    advance(4_999);
    expect(b.state).toBe("open");
    advance(1);
    expect(b.state).toBe("half_open");
  });

  it("keeps the later deadline when an open breaker is extended, never shortening it", () => {
    const { b, call, advance } = setup({ consecutive_failures: 1 });
    call(false, 10_000); // open for 10 s
    advance(100);
    b.onFailure({ probe: false }, 2_000); // a late, shorter Retry-After from an in-flight call
    expect(b.retryInMs()).toBe(9_900);
    b.onFailure({ probe: false }, 20_000); // a longer one extends
    expect(b.retryInMs()).toBe(20_000);
  });

  it("caps a Retry-After-driven opening at max_open_ms", () => {
    const { b, call } = setup({ max_open_ms: 60_000 });
    call(false, 86_400_000);
    expect(b.retryInMs()).toBe(60_000);
  });

  it("reports its state and counts for /health", () => {
    const { b, call } = setup({ consecutive_failures: 2 });
    call(true);
    call(false);
    call(false);
    expect(b.snapshot()).toEqual({ state: "open", retry_in_ms: 1_000, calls_in_window: 3, failures_in_window: 2, consecutive_failures: 2 });
  });
});
