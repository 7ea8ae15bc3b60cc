import { describe, expect, it } from "vitest";
import { parseConfig } from "./load";
import { parseByteSize } from "./byte-size";

describe("parseByteSize", () => {
  it("reads sizes the way body-parser did (units of 1024, any case, optional space)", () => {
    expect(parseByteSize("20mb")).toBe(20 * 1024 * 1024);
    expect(parseByteSize("512KB")).toBe(512 * 1024);
    expect(parseByteSize("1.5 mb")).toBe(Math.floor(1.5 * 1024 * 1024));
    expect(parseByteSize("1048576")).toBe(1048576);
    expect(parseByteSize("1gb")).toBe(1024 ** 3);
  });

  it("refuses what is not a size, and the config names the key", () => {
    expect(parseByteSize("twenty megabytes")).toBeUndefined();
    expect(parseByteSize("-1mb")).toBeUndefined();
    expect(() => parseConfig("server: { body_limit: lots }\n", {})).toThrow(/server\.body_limit/);
  });
});
