import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Response } from "express";
import { describe, expect, it } from "vitest";
import { reportHandlerErrorsTo } from "./guard-handler";
import { onClose } from "./on-close";

/** A real response, handed to `handle`; resolves once its "close" was emitted (and a tick more). */
async function withResponse(handle: (res: Response) => void, clientGoesAway = false): Promise<void> {
  let closed!: () => void;
  const done = new Promise<void>((r) => (closed = r));
  const server = createServer((_req, res: ServerResponse) => {
    handle(res as unknown as Response);
    res.on("close", () => setImmediate(closed));
    if (!clientGoesAway) res.end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const ac = new AbortController();
  const got = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { signal: ac.signal }).then((r) => r.text(), () => undefined);
  if (clientGoesAway) setTimeout(() => ac.abort(), 50);
  await got;
  await done;
  server.close();
}

describe("onClose", () => {
  it("runs every callback once, in the order added, from one close listener, even should close be emitted twice", async () => {
    const ran: string[] = [];
    let listeners = -1;
    await withResponse((res) => {
      onClose(res, () => ran.push("log"));
      onClose(res, () => ran.push("signal"));
      onClose(res, () => ran.push("admission"));
      listeners = res.listenerCount("close");
      res.emit("close");
    });
    expect(listeners).toBe(1);
    expect(ran).toEqual(["log", "signal", "admission"]);
  });

  it("runs the callbacks when the client goes away before an answer", async () => {
    const ran: string[] = [];
    await withResponse((res) => {
      onClose(res, () => ran.push(`first ${res.writableEnded}`));
      onClose(res, () => ran.push("second"));
    }, true);
    expect(ran).toEqual(["first false", "second"]);
  });

  it("runs a callback at once on a response already closed, and one added by another callback", async () => {
    const ran: string[] = [];
    let late: Response | undefined;
    await withResponse((res) => {
      late = res;
      onClose(res, () => {
        ran.push("outer");
        onClose(res, () => ran.push("inner"));
        ran.push("outer done");
      });
      onClose(res, () => ran.push("next"));
    });
    expect(ran).toEqual(["outer", "inner", "outer done", "next"]);
    onClose(late!, () => ran.push("after close"));
    expect(ran.at(-1)).toBe("after close");
  });

  it("reports a callback that throws or rejects and still runs the others", async () => {
    const warnings: string[] = [];
    reportHandlerErrorsTo({ warn: ((fields: { handler: string; err: { message: string } }) => warnings.push(`${fields.handler}: ${fields.err.message}`)) as never });
    const ran: string[] = [];
    await withResponse((res) => {
      onClose(res, () => {
        throw new Error("boom");
      }, "first");
      onClose(res, () => Promise.reject(new Error("later")), "second");
      onClose(res, () => ran.push("third"));
    });
    expect(ran).toEqual(["third"]);
    expect(warnings).toEqual(["first: boom", "second: later"]);
  });
});
