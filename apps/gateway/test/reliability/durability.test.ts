// Reliability, part 3: kill -9 during a burst of queued jobs, in embedded (SQLite) and Redis modes, with
// the built gateway as a real process. No job may be lost, none may reach the upstream twice (a job
// that was running at the kill is reported failed with `job_interrupted`, never silently re-run), and
// the restart time is measured. test/durability-kill.test.ts proves the same with a burst of 8; this
// one runs a burst of 20 over two slots and publishes the figures.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, getJob, say, upstreamSaw } from "../jobs-harness";
import { freePort, startRedis, type RedisServer } from "../redis-server";
import { spawnGateway, writeConfig, type ProcessGateway } from "./process-gateway";
import { SectionRecorder } from "./results";

const KEY = "sk-rel-durability-tenant-0123456789";
const BURST = 20;
const SLOTS = 2;

const yaml = (upstreamUrl: string, port: number, state: string) => `
server: { host: 127.0.0.1, port: ${port}, shutdown_grace_ms: 2000 }
state: ${state}
queue: { max_per_tenant: 50, max_wait_ms: 120000, result_ttl_ms: 600000 }
providers:
  openai:
    type: openai
    base_url: ${upstreamUrl}/v1
    api_key: sk-rel-durability-upstream-abcdef
    timeouts: { connect_ms: 1000, first_byte_ms: 10000, idle_ms: 10000, total_ms: 20000 }
models:
  work: { deployments: [{ provider: openai, model: "gpt-4o-mini::latencyMs=400" }] }
tenants:
  - { id: durable, keys: [${KEY}], limits: { max_concurrent: ${SLOTS} }, overflow: queue }
`;

const rec = new SectionRecorder("durability");
let upstream: MockUpstream;
let dir: string;
const running: ProcessGateway[] = [];

beforeAll(async () => {
  upstream = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), "runestone-rel-durability-"));
});

afterAll(async () => {
  rec.write();
  for (const g of running) await g.kill9();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Figures {
  queued: number;
  runningAtKill: number;
  succeeded: number;
  interrupted: number;
  readyAfterRestartMs: number;
  allFinalAfterRestartMs: number;
}

async function burstKillRestart(mode: string, state: string, finalWithinMs: number): Promise<Figures> {
  const port = await freePort();
  const config = writeConfig(yaml(upstream.url, port, state), dir);
  const first = await spawnGateway(config, port, { LOG_LEVEL: "warn" });
  running.push(first);

  const markers = Array.from({ length: BURST }, (_, i) => `rel-dur-${mode}-${i}-end`);
  const answers = await Promise.all(
    markers.map((m) => chat(first.url, KEY, say("work", m), { "x-runestone-overflow": "queue" }).then(async (r) => ({ marker: m, status: r.status, body: (await r.json().catch(() => undefined)) as { job_id?: string } | undefined }), () => ({ marker: m, status: 0, body: undefined }))),
  );
  // The first SLOTS took the slots directly; the rest are jobs. Direct answers may already be in.
  const jobs = answers.filter((a) => a.status === 202).map((a) => ({ id: a.body!.job_id!, marker: a.marker }));
  expect(jobs.length).toBeGreaterThanOrEqual(BURST - SLOTS);
  await upstream.waitFor(() => jobs.some((j) => upstreamSaw(upstream, j.marker).length > 0), 15_000);
  const runningAtKill = jobs.filter((j) => upstreamSaw(upstream, j.marker).some((r) => !r.completed)).length;
  await first.kill9();

  const second = await spawnGateway(config, port, { LOG_LEVEL: "warn" });
  running.push(second);
  const restartedAt = performance.now();
  const final = new Map<string, { status: string; attempts: number; error?: { code: string }; result?: { choices: Array<{ message: { content: string } }> } }>();
  while (final.size < jobs.length) {
    for (const j of jobs) {
      if (final.has(j.id)) continue;
      const { status, body } = await getJob(second.url, KEY, j.id);
      expect(status, `job ${j.id} was lost`).toBe(200);
      if (!["queued", "running"].includes(body.status)) final.set(j.id, body);
    }
    if (performance.now() - restartedAt > finalWithinMs) throw new Error(`${jobs.length - final.size} jobs not final ${finalWithinMs} ms after the restart: ${second.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const allFinalAfterRestartMs = performance.now() - restartedAt;

  let succeeded = 0;
  let interrupted = 0;
  for (const j of jobs) {
    const job = final.get(j.id)!;
    const calls = upstreamSaw(upstream, j.marker).length;
    expect(job.attempts).toBeLessThanOrEqual(1);
    if (job.status === "succeeded") {
      succeeded++;
      expect(calls, `job ${j.id} reached the upstream ${calls} times`).toBe(1);
      expect(job.result!.choices[0]!.message.content).toBe(`echo: ${j.marker}`);
    } else {
      interrupted++;
      expect(job.status).toBe("failed");
      expect(job.error!.code).toBe("job_interrupted");
      expect(calls).toBeLessThanOrEqual(1);
    }
  }
  expect(succeeded + interrupted).toBe(jobs.length);
  expect(interrupted).toBeLessThanOrEqual(Math.max(runningAtKill, SLOTS));
  await second.stop();
  return { queued: jobs.length, runningAtKill, succeeded, interrupted, readyAfterRestartMs: second.readyMs, allFinalAfterRestartMs };
}

const describeFigures = (f: Figures) =>
  `${f.queued} jobs queued, ${f.runningAtKill} in flight upstream at the kill: ${f.succeeded} succeeded (each reached the upstream exactly once), ${f.interrupted} failed job_interrupted (not re-run), 0 lost; ready ${Math.round(f.readyAfterRestartMs)} ms after restart, all final ${(f.allFinalAfterRestartMs / 1000).toFixed(1)} s after`;

describe("kill -9 during a burst of queued jobs", () => {
  it("loses no job and runs none twice in embedded mode (SQLite)", async () => {
    const row = rec.start(`kill -9 with ${BURST} requests in flight, embedded mode (SQLite)`, "every job final after the restart: succeeded exactly once upstream, or failed job_interrupted if it was running; none lost, none silently duplicated");
    const f = await burstKillRestart("embedded", `{ sqlite_path: ${join(dir, "state.db")} }`, 60_000);
    rec.figures["embedded: jobs killed / recovered / interrupted"] = `${f.queued} / ${f.succeeded} / ${f.interrupted}`;
    rec.figures["embedded: restart to ready (ms)"] = Math.round(f.readyAfterRestartMs);
    row.pass(describeFigures(f));
  }, 120_000);

  describe("Redis mode", () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it("loses no job and runs none twice in Redis mode", async () => {
      const row = rec.start(`kill -9 with ${BURST} requests in flight, Redis mode`, "as embedded; the dead instance's slot leases (30 s) and BullMQ locks (10 s) expire before its work moves on");
      const f = await burstKillRestart("redis", `{ redis_url: "${redis.url}", redis_prefix: "rel-dur:" }`, 90_000);
      rec.figures["redis: jobs killed / recovered / interrupted"] = `${f.queued} / ${f.succeeded} / ${f.interrupted}`;
      rec.figures["redis: restart to ready (ms)"] = Math.round(f.readyAfterRestartMs);
      row.pass(describeFigures(f));
    }, 180_000);
  });
});
