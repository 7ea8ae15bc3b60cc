// Held headers (core/held-headers.ts) must reach the wire exactly as setHeader put them: same names, values
// and order, whatever writes the head (writeHead with an object, res.json, res.end, Express's finalhandler,
// a HEAD request). Each case runs twice, in an app that sets its headers with setHeader and in one that holds
// them and folds them into the head; the raw heads must be the same.
import express, { type Express, type Request, type Response } from "express";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdHeader } from "../core/held-headers";
import { foldHeldHeaders } from "./fold-held-headers";

/** As the gateway's app: no X-Powered-By (Express sets it with setHeader, before any stage runs). */
function bare(): Express {
  const app = express();
  app.disable("x-powered-by");
  return app;
}

type Put = (res: Response, name: string, value: string) => void;
const viaSetHeader: Put = (res, name, value) => void res.setHeader(name, value);
const viaHold: Put = (res, name, value) => holdHeader(res, name, value);

/** What each case's handler sees before answering (getHeader/hasHeader must see held headers too). */
const seen: Record<string, unknown[]> = {};

function appWith(put: Put, label: string): Express {
  const app = bare();
  app.set("etag", false);
  if (put === viaHold) foldHeldHeaders(app.response);
  app.use((req, res, next) => {
    put(res, "x-request-id", "req-1");
    if (req.path.startsWith("/v1/messages")) put(res, "request-id", "req-1");
    next();
  });
  const before = (res: Response) => {
    put(res, "x-runestone-routing-policy", "default");
    put(res, "x-runestone-cache", "bypass");
  };
  const cases: Record<string, (req: Request, res: Response, next: (err?: unknown) => void) => void> = {
    // The chat JSON answer (send-json.ts): writeHead with an object, one of its names held already.
    "/write-head": (_req, res) => {
      before(res);
      res.writeHead(200, { "x-runestone-provider": "p", "x-runestone-cache": "miss", "content-type": "application/json; charset=utf-8", "content-length": 2 });
      res.end("{}");
    },
    // With a reason phrase, and a held name spelled another way by the writer.
    "/write-head-reason": (_req, res) => {
      before(res);
      res.writeHead(201, "Made", { "X-Runestone-Cache": "hit", "x-other": "1" });
      res.end();
    },
    "/write-head-array": (_req, res) => {
      before(res);
      res.writeHead(200, ["x-runestone-cache", "hit", "x-other", "1"]);
      res.end();
    },
    // A stream's head (sse-writer.ts), written with the first chunk.
    "/stream": (_req, res) => {
      before(res);
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-runestone-model": "m" });
      res.write("data: 1\n\n");
      res.end("data: [DONE]\n\n");
    },
    // Express's res.json (errors, embeddings, Messages): Content-Type asked for and set, then an implicit head.
    "/json": (_req, res) => {
      before(res);
      seen[`${label} /json`] = [res.getHeader("x-request-id"), res.getHeader("X-Runestone-Cache"), res.hasHeader("x-runestone-routing-policy"), res.hasHeader("retry-after"), res.getHeader("content-type")];
      res.status(429).json({ error: "slow down" });
    },
    // A header set with setHeader after held ones, one held again after it, and one held header replaced.
    "/mixed": (_req, res) => {
      before(res);
      res.setHeader("vary", "Origin");
      put(res, "x-ratelimit-limit-requests", "10");
      put(res, "x-runestone-cache", "hit");
      res.writeHead(200, { "x-runestone-provider": "p" });
      res.end();
    },
    "/removed": (_req, res) => {
      before(res);
      res.removeHeader("x-runestone-cache");
      seen[`${label} /removed`] = [res.getHeaderNames(), res.getHeaders()];
      res.end("ok");
    },
    // No header but the held ones: res.end's implicit head.
    "/end": (_req, res) => {
      res.statusCode = 204;
      res.end();
    },
    "/v1/messages": (_req, res) => {
      before(res);
      res.status(400).json({ type: "error" });
    },
    // An error no handler answers: Express's finalhandler writes the 500.
    "/final": (_req, res, next) => {
      before(res);
      next(new Error("boom"));
    },
  };
  for (const [path, handler] of Object.entries(cases)) app.all(path, handler);
  return app;
}

interface Answer {
  status: number;
  message: string;
  head: string[];
  body: string;
}

function ask(app: Express, method: string, path: string): Promise<Answer> {
  const server = app.listen(0, "127.0.0.1");
  return new Promise<Answer>((resolve, reject) => {
    server.once("listening", () => {
      const req = request({ host: "127.0.0.1", port: (server.address() as AddressInfo).port, method, path, agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => {
          const head: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) if (res.rawHeaders[i]!.toLowerCase() !== "date") head.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
          resolve({ status: res.statusCode!, message: res.statusMessage!, head, body });
        });
      });
      req.on("error", reject);
      req.end();
    });
  }).finally(() => server.close());
}

describe("held headers folded into the head", () => {
  let set: Express;
  let held: Express;
  beforeAll(() => {
    set = appWith(viaSetHeader, "set");
    held = appWith(viaHold, "held");
  });
  afterAll(() => {
    for (const k of Object.keys(seen)) delete seen[k];
  });

  const cases: Array<[string, string]> = [
    ["GET", "/write-head"],
    ["GET", "/write-head-reason"],
    ["GET", "/write-head-array"],
    ["GET", "/stream"],
    ["GET", "/json"],
    ["HEAD", "/json"],
    ["GET", "/mixed"],
    ["GET", "/removed"],
    ["GET", "/end"],
    ["POST", "/v1/messages"],
    ["GET", "/final"],
    ["GET", "/no-such-route"],
  ];
  it.each(cases)("%s %s: the same head as with setHeader", async (method, path) => {
    const a = await ask(set, method, path);
    const b = await ask(held, method, path);
    expect(b).toEqual(a);
    // Every answer of the app carries the request id, errors from Express's finalhandler included.
    expect(b.head.some((h) => h.toLowerCase() === "x-request-id: req-1")).toBe(true);
  });

  it("puts held headers first, in the order held, and lets the writer's value win for a name in both", async () => {
    const b = await ask(held, "GET", "/write-head");
    expect(b.head.slice(0, 6)).toEqual([
      "x-request-id: req-1",
      "x-runestone-routing-policy: default",
      "x-runestone-cache: miss",
      "x-runestone-provider: p",
      "content-type: application/json; charset=utf-8",
      "content-length: 2",
    ]);
    // A held name spelled another way by the writer: one header, in the held place, spelled the writer's way.
    const r = await ask(held, "GET", "/write-head-reason");
    expect(r.message).toBe("Made");
    expect(r.head.slice(0, 4)).toEqual(["x-request-id: req-1", "x-runestone-routing-policy: default", "X-Runestone-Cache: hit", "x-other: 1"]);
  });

  it("lets getHeader and hasHeader see held headers before the head is written", async () => {
    await ask(set, "GET", "/json");
    await ask(held, "GET", "/json");
    expect(seen["held /json"]).toEqual(["req-1", "bypass", true, false, undefined]);
    expect(seen["held /json"]).toEqual(seen["set /json"]);
    await ask(set, "GET", "/removed");
    await ask(held, "GET", "/removed");
    expect(seen["held /removed"]).toEqual(seen["set /removed"]);
  });

  it("writes a head of held headers and the writer's object from that object alone (Node's fast path)", async () => {
    const app = bare();
    foldHeldHeaders(app.response);
    let names: string[] | undefined;
    app.get("/", (_req, res) => {
      holdHeader(res, "x-request-id", "req-2");
      res.writeHead(200, { "content-length": 0 });
      // Nothing went through setHeader: Node's own header map was never made.
      names = res.getHeaderNames();
      res.end();
    });
    const a = await ask(app, "GET", "/");
    expect(a.head.slice(0, 2)).toEqual(["x-request-id: req-2", "content-length: 0"]);
    expect(names).toEqual([]);
  });

  it("throws as setHeader does once the head is written, and sets the header on a response that does not fold", async () => {
    const app = bare();
    foldHeldHeaders(app.response);
    let error: unknown;
    app.get("/", (_req, res) => {
      res.end("done");
      try {
        holdHeader(res, "x-late", "1");
      } catch (err) {
        error = err;
      }
    });
    await ask(app, "GET", "/");
    expect((error as { code?: string })?.code).toBe("ERR_HTTP_HEADERS_SENT");

    const plain = bare();
    plain.get("/", (_req, res) => {
      holdHeader(res, "x-request-id", "req-3");
      res.end();
    });
    const b = await ask(plain, "GET", "/");
    expect(b.head[0]).toBe("x-request-id: req-3");
  });
});
