import { Agent, createServer, IncomingMessage, request, ServerResponse, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { expressBornClasses } from "./express-born";

interface Seen {
  before: [object | null, object | null];
  inHandler: [object | null, object | null];
}

// An app that answers with what Express gives a handler, on a server that records each request's and response's
// prototype before Express sees them.
function serve(born: boolean): { server: Server; app: express.Express; seen: Seen[] } {
  const app = express();
  const seen: Seen[] = [];
  app.use(express.json());
  app.post("/echo/:id", (req, res) => {
    seen[seen.length - 1]!.inHandler = [Object.getPrototypeOf(req), Object.getPrototypeOf(res)];
    res.locals.n = (res.locals.n ?? 0) + 1;
    res.status(201).set("x-id", req.params.id).json({ id: req.params.id, q: req.query.q, ua: req.get("x-ua"), body: req.body, locals: res.locals.n, same: req.res === res && res.req === req, instances: req instanceof IncomingMessage && res instanceof ServerResponse });
  });
  const server = born ? createServer({ ...expressBornClasses(app) }, app) : createServer(app);
  server.prependListener("request", (req, res) => void seen.push({ before: [Object.getPrototypeOf(req), Object.getPrototypeOf(res)], inHandler: [null, null] }));
  return { server, app, seen };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

// Three requests, with bodies, on one keep-alive connection.
async function threeOnOneConnection(port: number): Promise<{ status: number; headers: Record<string, unknown>; body: unknown }[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const out = [];
  const sockets = new Set<unknown>();
  for (const id of ["a", "b", "c"]) {
    out.push(
      await new Promise<{ status: number; headers: Record<string, unknown>; body: unknown }>((resolve, reject) => {
        const body = JSON.stringify({ n: id });
        const req = request({ port, host: "127.0.0.1", method: "POST", path: `/echo/${id}?q=${id}1`, agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-ua": `ua-${id}` } }, (res) => {
          sockets.add(res.socket);
          let text = "";
          res.setEncoding("utf8").on("data", (c: string) => (text += c)).on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
        });
        req.on("error", reject).end(body);
      }),
    );
  }
  agent.destroy();
  expect(sockets.size).toBe(1);
  return out;
}

describe("expressBornClasses", () => {
  it("makes requests and responses with the app's Express prototypes before Express sees them", async () => {
    const { server, app, seen } = serve(true);
    await threeOnOneConnection(await listen(server));
    expect(seen).toHaveLength(3);
    for (const s of seen) {
      // Prototype objects compared by identity only (their getters, e.g. Express's req.query, throw when read).
      expect([s.before[0] === app.request, s.before[1] === app.response]).toEqual([true, true]);
      expect([s.inHandler[0] === app.request, s.inHandler[1] === app.response]).toEqual([true, true]);
    }
  });

  it("is what Express would otherwise change on every request (the contrast without it)", async () => {
    const { server, app, seen } = serve(false);
    await threeOnOneConnection(await listen(server));
    for (const s of seen) {
      expect([s.before[0] === IncomingMessage.prototype, s.before[1] === ServerResponse.prototype]).toEqual([true, true]);
      expect([s.inHandler[0] === app.request, s.inHandler[1] === app.response]).toEqual([true, true]);
    }
  });

  it("leaves Express and Node behaving as they do on plain objects: params, query, headers, body, locals, status, keep-alive", async () => {
    const plain = await threeOnOneConnection(await listen(serve(false).server));
    const born = await threeOnOneConnection(await listen(serve(true).server));
    const strip = (r: { status: number; headers: Record<string, unknown>; body: unknown }) => ({ ...r, headers: { ...r.headers, date: undefined, etag: undefined } });
    expect(born.map(strip)).toEqual(plain.map(strip));
    expect(born.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(born[1]!.body).toEqual({ id: "b", q: "b1", ua: "ua-b", body: { n: "b" }, locals: 1, same: true, instances: true });
    expect(born[2]!.headers["x-id"]).toBe("c");
  });
});
