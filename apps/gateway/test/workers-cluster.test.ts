// RUNESTONE_WORKERS=N: N gateway processes on one machine sharing the port and, through Redis, the
// tenant limits and the overflow queue. Without Redis the gateway refuses to start.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { cancelJob, chat, enqueue, getJob, holdSlot, jobsConfigYaml, QUEUE_KEY, say, waitFinal } from "./jobs-harness";
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
  });
});
