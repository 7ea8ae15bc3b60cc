// Which express-openapi-validator code runs in the card floor and in Runestone. Our pnpm patch of the package
// (patches/express-openapi-validator@5.6.2.patch) applies to every copy in the workspace, but its cheaper
// paths are opt-in (the option runestoneFastPaths: true): the card floor, built with the stock options, must
// run the package's own code, or the ratio to it could not show what the patch saves; Runestone opts in.
// Both processes run with eov-probe.cjs preloaded, which counts the paths taken, over the same requests.
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOptions } from "../src/options.js";
import { stopAll } from "../src/processes.js";
import { checkBuilt, startFloor, startMock, startRunestone, TENANT_KEY, UPSTREAM_KEY } from "../src/services.js";

const PROBE = fileURLToPath(new URL("./eov-probe.cjs", import.meta.url));
const EOV_DIR = realpathSync(dirname(createRequire(import.meta.url).resolve("express-openapi-validator/package.json")));
const N = 20;

const runDir = mkdtempSync(join(tmpdir(), "runestone-bench-validator-paths-"));
const ctx: any = { layout: {}, logDir: runDir, runDir, opts: parseOptions([]) };
type Counts = { stockChains: number; fastChains: number; contentTypeFrom: number; pathToRegexp: number; syncNext: number; asyncNext: number; builtMiddlewares: number };
const targets: Record<string, { url: string; key: string; out: string; pid: number }> = {};

async function counts(id: string): Promise<Counts> {
  const t = targets[id];
  rmSync(t.out, { force: true });
  process.kill(t.pid, "SIGUSR2");
  for (let i = 0; i < 200; i++) {
    try {
      return JSON.parse(readFileSync(t.out, "utf8"));
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error(`${id}: no probe counts`);
}

/** The probe's counts over `n` valid chat completions, one after another, each sent with `contentType(i)`. */
async function over(id: string, n = N, contentType = (_i: number) => "application/json"): Promise<Counts> {
  const t = targets[id];
  const before = await counts(id);
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.key}`, "content-type": contentType(i) },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: `hi ${i}` }] }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }
  const after = await counts(id);
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k as keyof Counts] - before[k as keyof Counts]])) as Counts;
}

beforeAll(async () => {
  checkBuilt();
  ctx.mock = await startMock(ctx);
  const probeEnv = (id: string) => ({ RS_EOV_PROBE_DIR: EOV_DIR, RS_EOV_PROBE_OUT: join(runDir, `${id}.probe.json`) });
  // startFloor passes the test's environment on: the probe only for the floor's process.
  const saved = { ...process.env };
  Object.assign(process.env, probeEnv("express-floor"), { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${PROBE}` });
  let floor;
  try {
    floor = await startFloor(ctx, "express-floor");
  } finally {
    for (const k of ["RS_EOV_PROBE_DIR", "RS_EOV_PROBE_OUT", "NODE_OPTIONS"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
  targets["express-floor"] = { url: floor.url, key: UPSTREAM_KEY, out: probeEnv("express-floor").RS_EOV_PROBE_OUT, pid: floor.proc.pid };
  const rs = await startRunestone(ctx, { name: "runestone", logLevel: "warn", nodeArgs: ["--require", PROBE], env: probeEnv("runestone") });
  targets.runestone = { url: rs.url, key: TENANT_KEY, out: probeEnv("runestone").RS_EOV_PROBE_OUT, pid: rs.proc.pid };
  // The first request loads the spec and builds the middlewares: not what the counts below are about.
  for (const id of Object.keys(targets)) await over(id);
}, 150_000);

afterAll(async () => {
  await stopAll();
  rmSync(runDir, { recursive: true, force: true });
});

describe("express-openapi-validator's paths", () => {
  it("the card floor runs the package's own chain: a promise step per middleware, Content-Type and routes parsed per request", async () => {
    const c = await counts("express-floor");
    expect(c.stockChains).toBe(1);
    expect(c.fastChains).toBe(0);
    const d = await over("express-floor");
    expect(d.syncNext).toBe(0);
    expect(d.asyncNext).toBeGreaterThanOrEqual(N * 5); // path params, metadata, security, multipart, request
    expect(d.contentTypeFrom).toBe(N);
    expect(d.pathToRegexp).toBeGreaterThanOrEqual(N);
  });

  it("Runestone runs the patch's opt-in chain: no promise step once loaded, Content-Type and routes parsed once", async () => {
    const c = await counts("runestone");
    expect(c.fastChains).toBeGreaterThanOrEqual(1);
    expect(c.stockChains).toBe(0);
    const d = await over("runestone");
    expect(d.asyncNext).toBe(0);
    expect(d.syncNext).toBeGreaterThanOrEqual(N * 5);
    expect(d.contentTypeFrom).toBe(0);
    expect(d.pathToRegexp).toBe(0);
  });

  it("Runestone builds no validator per made-up Content-Type parameter (each build compiles and keeps schemas)", async () => {
    // `application/json; x=<n>` is JSON to the body reader and selects the same schema: the package's own
    // cache (keyed by the whole normalized header) would build, compile and keep a validator for every value.
    const d = await over("runestone", 300, (i) => `application/json; x=${i}`);
    expect(d.builtMiddlewares).toBeLessThanOrEqual(1);
    const again = await over("runestone", 20, (i) => (i % 2 ? "application/json; charset=utf-8" : `application/json; charset=UTF-8; y=${i}`));
    expect(again.builtMiddlewares).toBe(0);
  });
});
