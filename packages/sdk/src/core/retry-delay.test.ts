import { describe, expect, it } from "vitest";
import { backoffDelay, isRetryableStatus, retryDelay } from "./retry-delay";

describe("isRetryableStatus", () => {
  it("retries 408, 409, 429 and every 5xx, nothing else", () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [200, 202, 400, 401, 403, 404, 413, 422]) expect(isRetryableStatus(status)).toBe(false);
  });
});

describe("backoffDelay", () => {
  it("doubles from 500 ms up to 8 s without jitter", () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });

  it("takes off at most 25 % as jitter", () => {
    expect(backoffDelay(1, () => 1)).toBe(750);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(2);
      expect(delay).toBeGreaterThan(1500);
      expect(delay).toBeLessThanOrEqual(2000);
    }
  });
});

describe("retryDelay", () => {
  it("uses the server's Retry-After over the backoff", () => {
    expect(retryDelay(0, new Headers({ "retry-after": "3" }), 60_000)).toBe(3000);
  });

  it("gives up (undefined) when Retry-After exceeds the cap", () => {
    expect(retryDelay(0, new Headers({ "retry-after": "120" }), 60_000)).toBeUndefined();
  });

  it("caps the backoff at maxDelay", () => {
    expect(retryDelay(5, new Headers(), 100, () => 0)).toBe(100);
  });
});
