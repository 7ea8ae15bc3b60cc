// The floors against the mock upstream: a streaming answer is relayed as it arrives (status,
// content-type and every byte of the upstream's stream, ending with `data: [DONE]`), and a plain
// answer is relayed whole as before; the raw TCP relay of the hop probe passes both through untouched. The card
// floor with --born (cpu-probe only) answers as the card floor does. cpuNanos (the hop probe's CPU per stream) reads a
// floor's own CPU time: it grows with a request the floor relays and not while the floor idles.
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpuNanos, sleep, stopAll } from "../src/processes.js";
import { startFloor, startMock, startRelay } from "../src/services.js";

const logDir = mkdtempSync(join(tmpdir(), "runestone-bench-floors-"));
const ctx: any = { layout: {}, logDir };
const origins: Record<string, string> = {};
let nodeFloorPid = 0;

beforeAll(async () => {
  ctx.mock = await startMock(ctx);
  origins.direct = ctx.mock.url;
  const [node, card, born] = await Promise.all([startFloor(ctx, "node-floor"), startFloor(ctx, "express-floor"), startFloor(ctx, "express-floor", { flags: ["--born"] })]);
  origins["node-floor"] = node.url;
  nodeFloorPid = node.proc.pid;
  origins["express-floor"] = card.url;
  origins["express-floor --born"] = born.url;
  origins["tcp-relay"] = (await startRelay(ctx)).url;
}, 60_000);

afterAll(async () => {
  await stopAll();
  rmSync(logDir, { recursive: true, force: true });
});

type Answer = { status: number; type: string; body: string; firstByteMs: number; totalMs: number };

function post(origin: string, payload: object): Promise<Answer> {
  const body = JSON.stringify(payload);
  const url = new URL("/v1/chat/completions", origin);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let firstByteMs = -1;
    let text = "";
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { authorization: "Bearer sk-bench-upstream-0000", "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          if (firstByteMs < 0) firstByteMs = performance.now() - start;
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body: text, firstByteMs, totalMs: performance.now() - start }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

// The mock numbers its answers and stamps them with the time; everything else must be the upstream's bytes.
const normalized = (s: string) => s.replace(/chatcmpl-mock\d+/g, "chatcmpl-X").replace(/"created":\d+/g, '"created":0');

const messages = [{ role: "user", content: "The quick brown fox jumps over the lazy dog." }];

describe.each(["node-floor", "express-floor", "express-floor --born", "tcp-relay"])("%s", (id) => {
  it("relays a stream chunk by chunk as it arrives, byte for byte, ending with data: [DONE]", async () => {
    // 5 chunks 200 ms apart: a floor that read the whole answer first would show its first byte at the end
    const payload = { model: "gpt-4o-mini::chunks=5,chunkDelayMs=200", stream: true, messages };
    const [direct, floor] = [await post(origins.direct, payload), await post(origins[id], payload)];
    expect(floor.status).toBe(200);
    expect(floor.type).toBe(direct.type);
    expect(floor.type).toMatch(/^text\/event-stream/);
    expect(floor.body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(normalized(floor.body)).toBe(normalized(direct.body));
    expect(floor.totalMs).toBeGreaterThanOrEqual(800);
    expect(floor.firstByteMs).toBeLessThan(floor.totalMs - 400);
  });

  it("relays a plain answer whole, as JSON", async () => {
    const payload = { model: "gpt-4o-mini", messages };
    const [direct, floor] = [await post(origins.direct, payload), await post(origins[id], payload)];
    expect(floor.status).toBe(200);
    expect(floor.type).toMatch(/^application\/json/);
    expect(normalized(floor.body)).toBe(normalized(direct.body));
    expect(JSON.parse(floor.body).object).toBe("chat.completion");
  });
});

describe("cpuNanos", () => {
  it("prices one process's work to the microsecond: a relayed stream adds to it, idling does not", async () => {
    const payload = { model: "gpt-4o-mini::chunks=3,chunkDelayMs=1", stream: true, messages };
    await post(origins["node-floor"], payload);
    await sleep(50);
    const before = cpuNanos(nodeFloorPid);
    await sleep(300);
    const idle = cpuNanos(nodeFloorPid) - before;
    await post(origins["node-floor"], payload);
    const relayed = cpuNanos(nodeFloorPid) - before - idle;
    expect(Number.isFinite(before) && before > 0).toBe(true);
    // The Node floor sets no timer: idle it runs nothing (V8's own tasks at most, far below one request).
    expect(idle).toBeLessThan(relayed / 2);
    expect(relayed).toBeGreaterThan(10_000); // at least 10 µs: it parsed, forwarded and relayed four events
  });

  it("reads NaN for a process that is gone", () => {
    expect(cpuNanos(2 ** 22 + 7)).toBeNaN();
  });
});
