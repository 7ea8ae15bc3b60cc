import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./parse-retry-after";

describe("parseRetryAfter", () => {
  it("reads Retry-After as seconds", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "2" }))).toBe(2000);
    expect(parseRetryAfter(new Headers({ "retry-after": "0.5" }))).toBe(500);
  });

  it("prefers retry-after-ms, which has sub-second precision", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "2", "retry-after-ms": "150" }))).toBe(150);
  });

  it("reads Retry-After as an HTTP date relative to now", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }), now)).toBe(3000);
    expect(parseRetryAfter(new Headers({ "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" }), now)).toBe(0);
  });

  it("returns undefined when the header is absent or unreadable", () => {
    expect(parseRetryAfter(new Headers())).toBeUndefined();
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(parseRetryAfter(new Headers({ "retry-after": "-1" }))).toBeUndefined();
  });
});
