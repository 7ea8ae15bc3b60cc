import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from "express";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byExactPath, exactPathKey, exactPostRoutes, specWithOnlyPath, validatorPathOf } from "./exact-paths";

describe("exactPathKey", () => {
  it("lower-cases ASCII and drops one trailing slash", () => {
    expect(exactPathKey("/v1/chat/completions")).toBe("/v1/chat/completions");
    expect(exactPathKey("/V1/Chat/COMPLETIONS")).toBe("/v1/chat/completions");
    expect(exactPathKey("/v1/chat/completions/")).toBe("/v1/chat/completions");
    expect(exactPathKey("/v1/chat/completions//")).toBe("/v1/chat/completions/");
    expect(exactPathKey("/")).toBe("/");
  });
  it("refuses non-ASCII paths (toLowerCase maps the Kelvin sign to k; a case-insensitive regexp does not)", () => {
    expect(exactPathKey("/v1/messages/count_to\u212Aens")).toBeUndefined();
  });
});

describe("specWithOnlyPath", () => {
  it("keeps one path and the components it reaches (transitively, security schemes whole), and leaves the document alone", () => {
    const doc = {
      openapi: "3.1.0",
      paths: { "/a": { post: { requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/X" } } } } } }, "/b": { get: { parameters: [{ $ref: "#/components/parameters/P" }] } } },
      components: {
        schemas: { X: { type: "object", properties: { y: { $ref: "#/components/schemas/Y" }, self: { $ref: "#/components/schemas/X" } } }, Y: { type: "string" }, Unused: { type: "number" } },
        parameters: { P: { name: "p", in: "query" } },
        securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      },
    };
    const one = specWithOnlyPath(doc, "/a");
    expect(one).toEqual({
      openapi: "3.1.0",
      paths: { "/a": doc.paths["/a"] },
      components: { securitySchemes: doc.components.securitySchemes, schemas: { X: doc.components.schemas.X, Y: doc.components.schemas.Y } },
    });
    expect(one.components).not.toBe(doc.components);
    expect(Object.keys(doc.components.schemas)).toEqual(["X", "Y", "Unused"]);
    expect(Object.keys(doc.paths)).toEqual(["/a", "/b"]);
    expect(() => specWithOnlyPath(doc, "/c")).toThrow(/not in the OpenAPI document/);
  });
});

// The same routes mounted both ways, answering side by side: the flat middleware must answer as the router.
let flat = "";
let routed = "";
let picked = "";
const servers: Array<() => void> = [];

function appWith(mount: (app: express.Express) => void): express.Express {
  const app = express();
  mount(app);
  app.use((req, res) => void res.status(404).send(`next ${req.method}`));
  const onError: ErrorRequestHandler = (err, _req, res, _next) => void res.status(500).send(`error ${(err as Error).message}`);
  app.use(onError);
  return app;
}

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  servers.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const handlers: Record<string, (req: Request, res: Response) => unknown> = {
  "/v1/chat/completions": (_req, res) => void res.send("chat"),
  "/v1/messages/count_tokens": (_req, res) => void res.send("count"),
  "/v1/throws": () => {
    throw new Error("thrown");
  },
  "/v1/rejects": async () => {
    throw new Error("rejected");
  },
};

beforeAll(async () => {
  flat = await listen(appWith((app) => app.use(exactPostRoutes(handlers))));
  routed = await listen(
    appWith((app) => {
      const r = Router();
      for (const [p, h] of Object.entries(handlers)) r.post(p, h);
      app.use(r);
    }),
  );
  const tag = (name: string): RequestHandler => (req, res) => void res.send(`${name} ${validatorPathOf(req)}`);
  picked = await listen(appWith((app) => app.use(byExactPath(new Map([["/v1/chat/completions", tag("chat")]]), tag("general"), validatorPathOf))));
});
afterAll(() => servers.forEach((close) => close()));

async function answer(base: string, method: string, path: string) {
  const res = await fetch(base + path, { method });
  return { status: res.status, allow: res.headers.get("allow"), type: res.headers.get("content-type"), nosniff: res.headers.get("x-content-type-options"), body: await res.text() };
}

describe("exactPostRoutes", () => {
  const paths = ["/v1/chat/completions", "/V1/CHAT/Completions", "/v1/chat/completions/", "/v1/chat/completions//", "/v1/chat/completions?x=1", "/v1/chat/completion", "/v1/chat", "/v1/messages/count_tokens", "/v1/Messages/Count_Tokens/", "/v1/throws", "/v1/rejects", "/other"];
  const methods = ["POST", "GET", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"];
  for (const path of paths) {
    it(`answers ${path} as express.Router().post mounts do, for every method`, async () => {
      for (const method of methods) expect({ method, ...(await answer(flat, method, path)) }).toEqual({ method, ...(await answer(routed, method, path)) });
    });
  }
  it("runs the handler for POST on a mixed-case path with a trailing slash, and calls next for other methods", async () => {
    expect(await answer(flat, "POST", "/V1/Chat/Completions/")).toMatchObject({ status: 200, body: "chat" });
    expect(await answer(flat, "GET", "/v1/chat/completions")).toMatchObject({ status: 404, body: "next GET" });
    expect(await answer(flat, "PUT", "/v1/chat/completions")).toMatchObject({ status: 404, body: "next PUT" });
    expect(await answer(flat, "OPTIONS", "/v1/chat/completions")).toMatchObject({ status: 200, allow: "POST", body: "POST" });
    expect(await answer(flat, "POST", "/v1/chat/completions//")).toMatchObject({ status: 404, body: "next POST" });
    expect(await answer(flat, "POST", "/v1/rejects")).toMatchObject({ status: 500, body: "error rejected" });
  });
  it("refuses a path that is not lower-case and static", () => {
    expect(() => exactPostRoutes({ "/V1/x": () => {} })).toThrow();
    expect(() => exactPostRoutes({ "/v1/x/": () => {} })).toThrow();
    expect(() => exactPostRoutes({ "/v1/:id": () => {} })).toThrow();
  });
});

describe("byExactPath", () => {
  it("picks by the validator's path (originalUrl without the query), any case, one trailing slash; others fall back", async () => {
    expect((await answer(picked, "POST", "/v1/chat/completions?a=1")).body).toBe("chat /v1/chat/completions");
    expect((await answer(picked, "GET", "/V1/Chat/Completions/")).body).toBe("chat /V1/Chat/Completions/");
    expect((await answer(picked, "POST", "/v1/chat/completions//")).body).toBe("general /v1/chat/completions//");
    expect((await answer(picked, "POST", "/v1/chat/completion%73")).body).toBe("general /v1/chat/completion%73");
    expect((await answer(picked, "POST", "/v1/models")).body).toBe("general /v1/models");
  });
  it("refuses a key that is not lower-case and static", () => {
    const h: RequestHandler = (_req, _res, next) => next();
    expect(() => byExactPath(new Map([["/V1/x", h]]), h, validatorPathOf)).toThrow();
  });
});
