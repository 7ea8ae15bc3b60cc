import { describe, expect, it } from "vitest";
import { writeRuns } from "./logger";

const capture = () => {
  const writes: string[] = [];
  return { writes, dest: { write: (s: string) => void writes.push(s) } };
};

describe("writeRuns (stdout's batches of request lines)", () => {
  it("hands over runs of whole lines, in order, none longer than 16 KB unless one line is", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `{"n":${i},"pad":"${"x".repeat(300 + (i % 7) * 40)}"}\n`);
    lines.splice(50, 0, `{"big":"${"y".repeat(20_000)}"}\n`);
    const { writes, dest } = capture();
    writeRuns(dest, lines);
    expect(writes.join("")).toBe(lines.join(""));
    expect(writes.length).toBeGreaterThan(2);
    expect(writes.length).toBeLessThan(lines.length);
    for (const w of writes) {
      expect(w.endsWith("\n")).toBe(true);
      if (w.split("\n").length > 2) expect(w.length).toBeLessThanOrEqual(16_384);
    }
  });

  it("writes a short batch at once, and nothing for none", () => {
    const { writes, dest } = capture();
    writeRuns(dest, ['{"a":1}\n', '{"b":2}\n']);
    writeRuns(dest, []);
    expect(writes).toEqual(['{"a":1}\n{"b":2}\n']);
  });
});
