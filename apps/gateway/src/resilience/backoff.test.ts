import { describe, expect, it } from "vitest";
import { backoffDelayMs, sleep } from "./backoff";

describe("backoff", () => {
  const cfg = { backoff_base_ms: 100, backoff_max_ms: 1_000 };

  it("doubles each round, between half and the whole of the exponential delay", () => {
    expect(backoffDelayMs(0, cfg, () => 0)).toBe(50);
    expect(backoffDelayMs(0, cfg, () => 1)).toBe(100);
    expect(backoffDelayMs(2, cfg, () => 0)).toBe(200);
    expect(backoffDelayMs(2, cfg, () => 1)).toBe(400);
  });

  it("never exceeds the cap", () => {
    expect(backoffDelayMs(20, cfg, () => 1)).toBe(1_000);
    expect(backoffDelayMs(20, cfg, () => 0)).toBe(500);
  });

  it("stops waiting as soon as the request is aborted", async () => {
    const ac = new AbortController();
    const waiting = sleep(60_000, ac.signal);
    ac.abort(new Error("gone"));
    await expect(waiting).rejects.toThrow("gone");
  });
});
