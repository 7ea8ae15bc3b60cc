// Kill -9 with jobs queued and running, restart on the same state: every job ends succeeded, or
// failed with the reason it was interrupted; none is lost; none reaches the upstream more often
// than its `attempts` says. Runs the built gateway (dist/main.js) as a real process, in embedded
// mode (SQLite file) and in Redis mode (a real redis-server).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { chat, getJob, jobsConfigYaml, QUEUE_KEY, say, upstreamSaw } from "./jobs-harness";
import { freePort, startRedis, type RedisServer } from "./redis-server";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const BURST = 8;

let upstream: MockUpstream;
let dir: string;
const children: ChildProcess[] = [];

/** Starts the built gateway and resolves once it is ready, with how long that took. */
async function spawnGateway(configPath: string, port: number): Promise<{ child: ChildProcess; readyMs: number; stderr: () => string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, RUNESTONE_CONFIG: configPath, LOG_LEVEL: "warn" }, stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${err}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
    if (ok) return { child, readyMs: performance.now() - t0, stderr: () => err };
    if (Date.now() > until) throw new Error(`gateway not ready within 60 s: ${err}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

beforeAll(async () => {
  upstream = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), "runestone-durability-"));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function killAndRestart(mode: string, stateYaml: { sqlitePath?: string; redisUrl?: string; redisPrefix?: string }, finalWithinMs: number) {
  const port = await freePort();
  const configPath = join(dir, `${mode}.yaml`);
  writeFileSync(configPath, jobsConfigYaml(upstream.url, { ...stateYaml, port, queue: "{ max_per_tenant: 50, max_wait_ms: 120000, result_ttl_ms: 600000 }" }));
  const base = `http://127.0.0.1:${port}`;
  const first = await spawnGateway(configPath, port);

  // A burst: the first request takes the tenant's only slot directly, the rest are queued.
  const markers = Array.from({ length: BURST }, (_, i) => `dur-${mode}-${i}`);
  const answers = markers.map((m) => chat(base, QUEUE_KEY, say("slow", m), { "x-runestone-overflow": "queue" }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }), () => undefined));
  const jobs: Array<{ id: string; marker: string }> = [];
  const settled = await Promise.all(answers.slice(1).map((a, i) => a.then((r) => ({ r, marker: markers[i + 1]! }))));
  for (const { r, marker } of settled) {
    expect(r?.status).toBe(202);
    jobs.push({ id: r!.body.job_id, marker });
  }
  // Kill as soon as a queued job is running upstream: one running, the others still queued.
  await upstream.waitFor(() => jobs.some((j) => upstreamSaw(upstream, j.marker).length > 0), 15_000);
  await kill9(first.child);

  const second = await spawnGateway(configPath, port);
  const final = new Map<string, any>();
  const until = Date.now() + finalWithinMs;
  while (final.size < jobs.length) {
    for (const j of jobs) {
      if (final.has(j.id)) continue;
      const { status, body } = await getJob(base, QUEUE_KEY, j.id);
      expect(status, `job ${j.id} was lost`).toBe(200);
      if (!["queued", "running"].includes(body.status)) final.set(j.id, body);
    }
    if (Date.now() > until) throw new Error(`${jobs.length - final.size} jobs not final ${finalWithinMs} ms after the restart; stderr: ${second.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const counts = { succeeded: 0, interrupted: 0 };
  for (const j of jobs) {
    const job = final.get(j.id);
    const upstreamCalls = upstreamSaw(upstream, j.marker).length;
    expect(["succeeded", "failed"]).toContain(job.status);
    expect(job.attempts).toBeLessThanOrEqual(1);
    if (job.status === "succeeded") {
      counts.succeeded++;
      expect(upstreamCalls, `job ${j.id} reached the upstream ${upstreamCalls} times`).toBe(1);
      expect(job.result.choices[0].message.content).toBe(`echo: ${j.marker}`);
    } else {
      counts.interrupted++;
      expect(job.error).toMatchObject({ code: "job_interrupted" });
      expect(job.error.message).toMatch(/restart.*not retried/);
      expect(upstreamCalls).toBeLessThanOrEqual(job.attempts);
    }
  }
  // The job that was running at the kill is the one reported interrupted; the queued ones all ran.
  expect(counts.interrupted).toBeGreaterThanOrEqual(1);
  expect(counts.succeeded).toBeGreaterThanOrEqual(jobs.length - 1);
  await new Promise<void>((resolve) => {
    second.child.once("exit", () => resolve());
    second.child.kill("SIGTERM");
  });
  return { restartReadyMs: first.readyMs, secondReadyMs: second.readyMs, ...counts };
}

describe("kill -9 durability", () => {
  it("loses no job and runs none twice after a kill -9 in embedded mode (SQLite)", async () => {
    const r = await killAndRestart("embedded", { sqlitePath: join(dir, "state.db") }, 30_000);
    console.log(`embedded: ready after restart in ${Math.round(r.secondReadyMs)} ms; ${r.succeeded} succeeded, ${r.interrupted} failed as interrupted`);
  }, 180_000);

  describe("Redis mode", () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it("loses no job and runs none twice after a kill -9 in Redis mode", async () => {
      // The dead instance's concurrency lease (5 s in this config) and the running job's BullMQ lock
      // (10 s) both expire before the queue moves on: the bound here covers both.
      const r = await killAndRestart("redis", { redisUrl: redis.url, redisPrefix: "dur:" }, 75_000);
      console.log(`redis: ready after restart in ${Math.round(r.secondReadyMs)} ms; ${r.succeeded} succeeded, ${r.interrupted} failed as interrupted`);
    }, 240_000);
  });
});
