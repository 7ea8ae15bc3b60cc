import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { parse } from "node:url";
import express from "express";
import { describe, expect, it } from "vitest";
import { originFormFirst, originFormOf, toOriginForm } from "./origin-form";

const run = (url: string) => {
  const req = { url } as IncomingMessage;
  toOriginForm(req);
  return req.url;
};

describe("originFormOf", () => {
  it("takes the path and query of an absolute-form target, whatever its scheme, authority or case", () => {
    expect(originFormOf("http://x/v1/chat/completions")).toBe("/v1/chat/completions");
    expect(originFormOf("http://x/v1/chat/completions?a=1&b=2")).toBe("/v1/chat/completions?a=1&b=2");
    expect(originFormOf("HTTP://evil.example:8080/v1/messages")).toBe("/v1/messages");
    expect(originFormOf("https://user:pw@h:1/v1/embeddings?x")).toBe("/v1/embeddings?x");
    expect(originFormOf("foo://h/v1/models")).toBe("/v1/models");
    expect(originFormOf("http://h/V1/Chat/Completions/")).toBe("/V1/Chat/Completions/");
  });

  it("gives / for an absolute-form target without a path", () => {
    expect(originFormOf("http://x")).toBe("/");
    expect(originFormOf("http://x/")).toBe("/");
    expect(originFormOf("http://x?q=1")).toBe("/?q=1");
    expect(originFormOf("http://x#f")).toBe("/");
  });

  it("drops a fragment, and everything after its #, in either form", () => {
    expect(originFormOf("/v1/chat/completions#x")).toBe("/v1/chat/completions");
    expect(originFormOf("/v1/chat/completions?a=1#x")).toBe("/v1/chat/completions?a=1");
    expect(originFormOf("/v1/chat/completions#x?a=1")).toBe("/v1/chat/completions");
    expect(originFormOf("/#")).toBe("/");
    expect(originFormOf("http://x/v1/messages?a#b#c")).toBe("/v1/messages?a");
  });

  it("leaves origin form without a fragment, and `*`, as they are", () => {
    for (const url of ["/", "/v1/chat/completions", "/v1/chat/completions?a=1", "//x/v1/chat/completions", "/v1/x?u=http://h/y", "*", "*?x=http://h/v1/admin/keys", "*/x?u=http://h/v1/chat/completions", "*://h/v1/admin/keys", "1http://h/v1/x"]) {
      expect(originFormOf(url)).toBeUndefined();
    }
  });

  it("gives the pathname and search Express's parser (url.parse, via parseurl) finds in the target", () => {
    const targets = ["http://x/v1/chat/completions?a=1#f", "http://x", "http://x?q=1", "https://u@h:1/v1/messages", "/v1/messages#f", "/v1/messages?a=b#f?c", "/p?q#"];
    for (const url of targets) {
      const p = parse(url);
      expect(originFormOf(url), url).toBe(`${p.pathname ?? "/"}${p.search ?? ""}`);
    }
  });
});

describe("toOriginForm", () => {
  it("rewrites req.url", () => {
    expect(run("http://x/v1/chat/completions?a=1#f")).toBe("/v1/chat/completions?a=1");
    expect(run("/v1/messages#f")).toBe("/v1/messages");
  });

  it("leaves the usual request untouched (the same string)", () => {
    expect(run("/v1/chat/completions?x=1")).toBe("/v1/chat/completions?x=1");
    expect(run("*")).toBe("*");
  });
});

describe("originFormFirst", () => {
  it("has the router, a mounted router and req.originalUrl see the origin form", async () => {
    const app = originFormFirst(express());
    const trail: string[] = [];
    app.use("/v1", (req, _res, next) => {
      trail.push(`mounted ${req.baseUrl} ${req.url}`);
      next();
    });
    app.post("/v1/chat/completions", (req, res) => {
      res.json({ url: req.url, originalUrl: req.originalUrl, path: req.path, query: req.query, trail });
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, method: "POST", path: "http://elsewhere.example/v1/chat/completions?a=1#f" }, (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual({
        url: "/v1/chat/completions?a=1",
        originalUrl: "/v1/chat/completions?a=1",
        path: "/v1/chat/completions",
        query: { a: "1" },
        trail: ["mounted /v1 /chat/completions?a=1"],
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
