import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { UpstreamError } from "../core/upstream-error";
import { readCapped } from "./upstream-limits";

function body(chunks: number, size: number): Readable & { pulled: number } {
  const r = Object.assign(new Readable({ read() {} }), { pulled: 0 });
  let i = 0;
  r._read = () => {
    if (i++ >= chunks) return void r.push(null);
    r.pulled += 1;
    r.push(Buffer.alloc(size, 97));
  };
  return r;
}

describe("readCapped", () => {
  it("reads an answer within the cap", async () => {
    expect(await readCapped(body(4, 1000), 4000)).toBe("a".repeat(4000));
  });

  it("aborts the body once it passes the cap: a non-retryable upstream_response_too_large", async () => {
    const b = body(1000, 64 * 1024);
    const err = await readCapped(b, 1024 * 1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ kind: "protocol", code: "upstream_response_too_large", retryable: false });
    expect(b.destroyed).toBe(true);
    expect(b.pulled).toBeLessThan(40);
  });

  it("refuses a declared Content-Length past the cap before reading anything", async () => {
    const b = body(10, 10);
    await expect(readCapped(b, 50, "5000000")).rejects.toMatchObject({ code: "upstream_response_too_large" });
    expect(b.pulled).toBe(0);
  });
});
