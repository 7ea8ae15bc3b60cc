import { describe, expect, it } from "vitest";
import { newRequestId } from "./request-id";

describe("generated request ids", () => {
  it("are req_ and 32 hex digits, and never repeat, across refills of their random pool", () => {
    const ids = Array.from({ length: 3000 }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // 16 fresh random bytes each: no id shares its first 8 hex digits with the one before (2^-32 by chance).
    for (let i = 1; i < ids.length; i++) expect(ids[i]!.slice(4, 12)).not.toBe(ids[i - 1]!.slice(4, 12));
  });
});
