import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { describe, expect, it } from "vitest";
import type { AddressInfo } from "node:net";
import { contextOf } from "./request-context";

const src = join(dirname(fileURLToPath(import.meta.url)), "..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "__fixtures__" ? [] : sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

describe("the request context", () => {
  it("is one object per response, the same for every stage that asks", async () => {
    const app = express();
    const seen: unknown[] = [];
    app.use((_req, res, next) => {
      contextOf(res).requestId = "first-stage";
      next();
    });
    app.get("/", (_req, res) => {
      const ctx = contextOf(res);
      seen.push(ctx);
      res.json({ id: ctx.requestId, same: contextOf(res) === ctx });
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      expect(await (await fetch(url)).json()).toEqual({ id: "first-stage", same: true });
      await (await fetch(url)).json();
      expect(seen).toHaveLength(2);
      expect(seen[0]).not.toBe(seen[1]);
    } finally {
      server.close();
    }
  });

  it("is the only carrier between stages: no source file uses Express's untyped res.locals", () => {
    const offenders = sources(src)
      .filter((f) => /\.locals\b/.test(readFileSync(f, "utf8").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "")))
      .map((f) => relative(src, f));
    expect(offenders).toEqual([]);
  });
});
