import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { UpstreamError } from "../core/upstream-error";
import { readCapped, readCappedStream } from "./upstream-limits";

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

describe("readCappedStream", () => {
  it("reads an answer within the cap, in one chunk or several (multi-byte characters across chunks too)", async () => {
    expect(await readCappedStream(body(4, 1000), 4000)).toBe("a".repeat(4000));
    const euro = Buffer.from("€");
    expect(await readCappedStream(Readable.from([euro.subarray(0, 1), euro.subarray(1)]), 10)).toBe("€");
    expect(await readCappedStream(Readable.from([]), 10)).toBe("");
  });

  it("aborts the body once it passes the cap: a non-retryable upstream_response_too_large", async () => {
    const b = body(1000, 64 * 1024);
    const err = await readCappedStream(b, 1024 * 1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ kind: "protocol", code: "upstream_response_too_large", retryable: false });
    expect(b.destroyed).toBe(true);
    expect(b.pulled).toBeLessThan(40);
  });

  it("refuses a declared Content-Length past the cap before reading anything", async () => {
    const b = body(10, 10);
    await expect(readCappedStream(b, 50, ["5000000"])).rejects.toMatchObject({ code: "upstream_response_too_large" });
    expect(b.pulled).toBe(0);
  });

  it("rejects with the body's error, and when the body closes before its end", async () => {
    const failing = new Readable({ read() {} });
    const read = readCappedStream(failing, 100);
    failing.push("part");
    failing.destroy(new Error("socket hang up"));
    await expect(read).rejects.toThrow("socket hang up");
    const cut = new Readable({ read() {} });
    const cutRead = readCappedStream(cut, 100);
    cut.push("part");
    cut.destroy();
    await expect(cutRead).rejects.toMatchObject({ code: "ERR_STREAM_PREMATURE_CLOSE" });
    const gone = new Readable({ read() {} });
    gone.destroy();
    await expect(readCappedStream(gone, 100)).rejects.toMatchObject({ code: "ERR_STREAM_PREMATURE_CLOSE" });
  });
});
