import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Response } from "express";
import { describe, expect, it } from "vitest";
import type { RequestContext } from "../core/request-context";
import { withDeadline } from "../resilience/deadline";
import { upstreamSignal } from "./upstream-signal";

/** Serves one request with `handle`; resolves with the signal once the response closed. */
async function serve(handle: (res: Response, signal: AbortSignal) => void, client: (url: string) => Promise<unknown>, timeoutMs = 5_000): Promise<AbortSignal> {
  let signal!: AbortSignal;
  let closed!: () => void;
  const done = new Promise<void>((r) => (closed = r));
  const server = createServer((_req, res: ServerResponse) => {
    ({ signal } = upstreamSignal(res as unknown as Response, timeoutMs, {} as RequestContext));
    res.on("close", () => setImmediate(closed));
    handle(res as unknown as Response, signal);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  await client(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await done;
  server.close();
  return signal;
}

describe("upstreamSignal", () => {
  it("does not abort once the answer was handed over in full", async () => {
    const signal = await serve((res) => res.end("{}"), (url) => fetch(url).then((r) => r.text()));
    expect(signal.aborted).toBe(false);
  });

  it("aborts when the client leaves in the middle of a stream", async () => {
    const signal = await serve(
      (res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: {}\n\n");
      },
      async (url) => {
        const ac = new AbortController();
        const r = await fetch(url, { signal: ac.signal });
        const reader = r.body!.getReader();
        await reader.read();
        ac.abort();
      },
    );
    expect(signal.aborted).toBe(true);
  });

  it("aborts with a timeout when the deadline passes before an answer", async () => {
    let reason: unknown;
    await serve(
      (res, signal) => signal.addEventListener("abort", () => ((reason = signal.reason), res.end("late"))),
      (url) => fetch(url).then((r) => r.text()),
      50,
    );
    expect(reason).toBeInstanceOf(Error);
  });

  it("calls the watcher of a provider deadline it covers when the client leaves, and when the deadline passes (with its reason)", async () => {
    const heard: unknown[] = [];
    const watch = (signal: AbortSignal) => {
      const d = withDeadline(signal, 600_000, "provider total timeout");
      expect(d.signal).toBe(signal);
      d.watch(() => heard.push(d.signal.reason));
    };
    await serve(
      (res, signal) => {
        watch(signal);
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: {}\n\n");
      },
      async (url) => {
        const ac = new AbortController();
        const r = await fetch(url, { signal: ac.signal });
        await r.body!.getReader().read();
        ac.abort();
      },
    );
    expect(heard.length).toBe(1);
    expect((heard[0] as Error).name).toBe("AbortError");
    await serve(
      (res, signal) => {
        watch(signal);
        signal.addEventListener("abort", () => setTimeout(() => res.end("late"), 5));
      },
      (url) => fetch(url).then((r) => r.text()),
      50,
    );
    expect(heard.length).toBe(2);
    expect((heard[1] as Error).name).toBe("TimeoutError");
    expect((heard[1] as Error).message).toBe("request deadline passed");
  });
});
