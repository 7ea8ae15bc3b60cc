import { describe, expect, it } from "vitest";
import { periodWindow } from "./budget-period";

describe("periodWindow", () => {
  it("a day runs from 00:00 UTC to the next 00:00 UTC, whatever the local time zone", () => {
    const w = periodWindow("day", Date.parse("2026-12-04T23:59:59.999Z"));
    expect(w).toEqual({ key: "2026-12-04", startMs: Date.parse("2026-12-04T00:00:00Z"), endMs: Date.parse("2026-12-05T00:00:00Z") });
    expect(periodWindow("day", w.endMs).key).toBe("2026-12-05");
  });

  it("a month runs from the 1st to the 1st of the next month, across a year's end and a leap February", () => {
    expect(periodWindow("month", Date.parse("2026-12-31T12:00:00Z"))).toEqual({ key: "2026-12", startMs: Date.parse("2026-12-01T00:00:00Z"), endMs: Date.parse("2027-01-01T00:00:00Z") });
    expect(periodWindow("month", Date.parse("2028-02-29T23:00:00Z")).endMs).toBe(Date.parse("2028-03-01T00:00:00Z"));
  });
});
