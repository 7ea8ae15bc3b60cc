import express, { Router, type ErrorRequestHandler, type RequestHandler } from "express";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atMountPath, compose, onlyUnder } from "./compose";

// One app answers with the trail of middlewares a request went through, so a group's order and its
// next/next(err)/throw/reject handling are seen as a client sees them.
const mark = (name: string): RequestHandler => (req, _res, next) => {
  (req as unknown as { trail: string[] }).trail.push(name);
  next();
};

let base = "";
let close = () => {};

beforeAll(async () => {
  const app = express();
  app.use((req, _res, next) => {
    (req as unknown as { trail: string[] }).trail = [];
    next();
  });
  const entered: string[] = [];
  const health = Router();
  health.use((_req, _res, next) => {
    entered.push("health");
    next();
  });
  health.get("/health", (_req, res) => void res.send("healthy"));
  app.use(
    compose([
      mark("a"),
      (req, _res, next) => (req.query.route ? next("route") : next()),
      mark("b"),
      (req, _res, next) => {
        if (req.query.throw) throw new Error("thrown");
        if (req.query.reject) return Promise.reject(new Error("rejected"));
        next();
      },
    ]),
  );
  app.use(
    compose([
      mark("c"),
      onlyUnder(["/health"], health),
      (req, res, next) => (req.path === "/trail" ? res.json({ trail: (req as unknown as { trail: string[] }).trail, entered }) : next()),
    ]),
  );
  const onError: ErrorRequestHandler = (err: Error, req, res, _next) => void res.status(500).json({ error: err.message, trail: (req as unknown as { trail: string[] }).trail });
  app.use(onError);
  await new Promise<void>((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve());
    close = () => server.close();
    server.on("listening", () => (base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
});

afterAll(() => close());

describe("compose", () => {
  it("runs the group in order and hands a thrown error or a rejected promise to the app's error handler", async () => {
    const thrown = await fetch(`${base}/x?throw=1`);
    expect(thrown.status).toBe(500);
    expect(await thrown.json()).toEqual({ error: "thrown", trail: ["a", "b"] });
    const rejected = await fetch(`${base}/x?reject=1`);
    expect(await rejected.json()).toEqual({ error: "rejected", trail: ["a", "b"] });
  });

  it("treats next('route') as next(), as Express does for app-level middleware", async () => {
    const r = await fetch(`${base}/x?route=1&throw=1`);
    expect(await r.json()).toEqual({ error: "thrown", trail: ["a", "b"] });
  });

  it("refuses an error handler, which it would call with the wrong arguments", () => {
    const onError: ErrorRequestHandler = (_e, _q, _r, next) => next();
    expect(() => compose([onError as unknown as RequestHandler])).toThrow(/error handler/);
  });
});

describe("onlyUnder", () => {
  it("enters the router for its paths, in any case as Express matches them, and for no other", async () => {
    expect(await (await fetch(`${base}/health`)).text()).toBe("healthy");
    expect(await (await fetch(`${base}/HEALTH`)).text()).toBe("healthy");
    const r = await fetch(`${base}/trail`);
    expect(await r.json()).toEqual({ trail: ["a", "b", "c"], entered: ["health", "health"] });
  });
});

describe("atMountPath", () => {
  // Every path a client could send near the mount path: each must enter exactly when app.use("/v1", ...) enters.
  const paths = ["/v1", "/v1/", "/V1/chat/completions", "/v1/chat/completions/", "/v1//x", "/v1/%", "/v1?x=1", "/v1/?x=1", "/v1x", "/v1.json", "/v1%2F", "/v2/x", "/", "/x/v1", "/v1/../v2"];

  it("enters for the paths an Express mount enters, and for no other", async () => {
    const mounted = express();
    mounted.use("/v1", (_req, res) => void res.send("in"));
    mounted.use((_req, res) => void res.send("out"));
    const flat = express();
    flat.use(atMountPath("/v1", (_req, res) => void res.send("in")));
    flat.use((_req, res) => void res.send("out"));
    const answers = async (app: express.Express) => {
      const server = app.listen(0);
      await new Promise((r) => server.once("listening", r));
      const port = (server.address() as AddressInfo).port;
      const out: string[] = [];
      // A raw request line: fetch would normalise "/v1/../v2" and "//".
      for (const p of paths) out.push(`${p} ${await rawGet(port, p)}`);
      server.close();
      return out;
    };
    const expected = await answers(mounted);
    expect(await answers(flat)).toEqual(expected);
    expect(expected.filter((a) => a.endsWith(" in")).length).toBeGreaterThan(5);
  });

  it("leaves req.url and req.baseUrl as they are", async () => {
    const app = express();
    app.use(atMountPath("/v1", (req, res) => void res.json({ url: req.url, path: req.path, baseUrl: req.baseUrl })));
    const server = app.listen(0);
    await new Promise((r) => server.once("listening", r));
    const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/V1/chat?x=1`);
    expect(await r.json()).toEqual({ url: "/V1/chat?x=1", path: "/V1/chat", baseUrl: "" });
    server.close();
  });

  it("refuses a mount path that does not start with a slash or ends with one", () => {
    expect(() => atMountPath("v1", (_q, _s, n) => n())).toThrow();
    expect(() => atMountPath("/v1/", (_q, _s, n) => n())).toThrow();
  });
});

function rawGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (text += d));
    socket.on("end", () => resolve(text.slice(text.indexOf("\r\n\r\n") + 4)));
    socket.on("error", reject);
  });
}
