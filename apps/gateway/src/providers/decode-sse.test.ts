import { describe, expect, it } from "vitest";
import { decodeSse } from "./decode-sse";

async function* bytes(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

async function collect(gen: AsyncGenerator<{ data: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of gen) out.push(e.data);
  return out;
}

describe("decodeSse with maxEventBytes", () => {
  const tooLarge = () => new Error("too large");

  it("passes events under the cap, however many, and comments between them", async () => {
    const parts = Array.from({ length: 50 }, (_, i) => `data: ${"x".repeat(500)}${i}\n\n: keep-alive\n\n`);
    expect(await collect(decodeSse(bytes(...parts), { maxEventBytes: 1024, tooLarge }))).toHaveLength(50);
  });

  it("throws once a line without its newline passes the cap, without reading the rest", async () => {
    let read = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode("data: {}\n\ndata: ");
      for (;;) {
        read += 1;
        yield new Uint8Array(4096).fill(97);
      }
    }
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const e of decodeSse(endless(), { maxEventBytes: 64 * 1024, tooLarge })) seen.push(e.data);
      })(),
    ).rejects.toThrow("too large");
    expect(seen).toEqual(["{}"]);
    expect(read).toBeLessThan(20);
  });

  it("counts an event's bytes across the comment and retry lines inside it, so they cannot carry it past the cap", async () => {
    let read = 0;
    // One event of ever more data: lines, a comment (or a retry field) after each: it never ends.
    async function* interleaved(): AsyncGenerator<Uint8Array> {
      for (;;) {
        read += 1;
        yield new TextEncoder().encode(`data: ${"x".repeat(4096)}\n${read % 2 ? ":\n" : "retry: 1000\n"}`);
      }
    }
    await expect(collect(decodeSse(interleaved(), { maxEventBytes: 64 * 1024, tooLarge }))).rejects.toThrow("too large");
    expect(read).toBeLessThan(20);
  });
});
