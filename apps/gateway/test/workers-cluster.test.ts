// RUNESTONE_WORKERS=N: N gateway processes on one machine sharing the port and, through Redis, the
// tenant limits and the overflow queue. Without Redis the gateway refuses to start.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { request } from "node:http";
import { cancelJob, chat, enqueue, getJob, holdSlot, jobsConfigYaml, NOSY_KEY, QUEUE_KEY, say, waitFinal } from "./jobs-harness";
import { parseMetrics, sum } from "./metrics-text";
import { freePort, startRedis, type RedisServer } from "./redis-server";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

let upstream: MockUpstream;
let dir: string;
const children: ChildProcess[] = [];

function start(configPath: string, env: Record<string, string>): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, RUNESTONE_CONFIG: configPath, LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stderr: () => err, exited };
}

async function ready(port: number, stderr: () => string): Promise<void> {
  const until = Date.now() + 90_000;
  while (!(await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false))) {
    if (Date.now() > until) throw new Error(`not ready within 90 s: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  upstream = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), "runestone-workers-"));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("RUNESTONE_WORKERS", () => {
  it("refuses to start several workers without Redis, and says what to set", async () => {
    const configPath = join(dir, "embedded.yaml");
    writeFileSync(configPath, jobsConfigYaml(upstream.url, { sqlitePath: join(dir, "w.db"), port: await freePort() }));
    const g = start(configPath, { RUNESTONE_WORKERS: "3" });
    expect(await g.exited).toBe(78);
    expect(g.stderr()).toMatch(/queue\.workers: 3 worker processes .*need Redis mode: set RUNESTONE_REDIS_URL/);
  }, 60_000);

  describe("with Redis", () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it("runs that many gateway processes on one port, sharing the tenant's slot and its queued jobs", async () => {
      const port = await freePort();
      const configPath = join(dir, "redis.yaml");
      writeFileSync(configPath, jobsConfigYaml(upstream.url, { redisUrl: redis.url, redisPrefix: "workers:", port }));
      const g = start(configPath, { RUNESTONE_WORKERS: "2" });
      await ready(port, g.stderr);
      const workers = execFileSync("pgrep", ["-P", String(g.child.pid)]).toString().trim().split("\n").filter(Boolean);
      expect(workers).toHaveLength(2);

      const base = `http://127.0.0.1:${port}`;
      const held = await holdSlot(upstream, base, QUEUE_KEY, "w-holder");
      // Separate connections land on either worker; all of them see the one slot taken.
      const queued = [];
      for (let i = 0; i < 3; i++) queued.push(await enqueue(base, QUEUE_KEY, say("fast", `w-job-${i}`)));
      const cancelled = await cancelJob(base, QUEUE_KEY, queued[2].job_id);
      expect(cancelled.body.status).toBe("cancelled");
      held.release();
      for (const q of queued.slice(0, 2)) expect((await waitFinal(base, QUEUE_KEY, q.job_id)).status).toBe("succeeded");
      expect((await getJob(base, QUEUE_KEY, queued[2].job_id)).body.status).toBe("cancelled");
      expect((await chat(base, QUEUE_KEY, say("fast", "w-direct"))).status).toBe(200);

      g.child.kill("SIGTERM");
      expect(await g.exited).toBe(0);
    }, 180_000);

    it("answers one scrape with every worker's requests, whichever worker takes it", async () => {
      const port = await freePort();
      const configPath = join(dir, "redis-metrics.yaml");
      writeFileSync(configPath, jobsConfigYaml(upstream.url, { redisUrl: redis.url, redisPrefix: "workers-metrics:", port }));
      const g = start(configPath, { RUNESTONE_WORKERS: "2" });
      await ready(port, g.stderr);
      // A new connection per request: the primary deals connections to the workers in turn.
      const SENT = 12;
      for (let i = 0; i < SENT; i++) {
        const r = await onNewConnection(port, "POST", "/v1/chat/completions", { authorization: `Bearer ${NOSY_KEY}` }, JSON.stringify(say("fast", `w-metrics-${i}`)));
        expect(r.status).toBe(200);
      }
      for (let i = 0; i < 4; i++) {
        const scrape = await onNewConnection(port, "GET", "/metrics");
        expect(scrape.status).toBe(200);
        const samples = parseMetrics(scrape.body);
        expect(sum(samples, "runestone_requests_total", { route: "/v1/chat/completions", status: "200" }), `scrape ${i}`).toBe(SENT);
        // The mock counts 1 word + 3 per message in, "echo: <word>" (2) out.
        expect(sum(samples, "runestone_input_tokens_total"), `scrape ${i}`).toBe(SENT * 4);
        expect(sum(samples, "runestone_output_tokens_total"), `scrape ${i}`).toBe(SENT * 2);
        expect(sum(samples, "runestone_active_requests"), `scrape ${i}`).toBe(1);
        expect(sum(samples, "runestone_scrape_workers", { state: "answered" }), `scrape ${i}`).toBe(2);
        expect(sum(samples, "runestone_scrape_workers", { state: "missing" }), `scrape ${i}`).toBe(0);
      }
      g.child.kill("SIGTERM");
      expect(await g.exited).toBe(0);
    }, 120_000);
  });
});

/** One request on a connection of its own (no keep-alive), so consecutive calls can land on different workers. */
function onNewConnection(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, string | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, agent: false, headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string | undefined>, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
