// Reliability, part 3: kill -9 during a burst of queued jobs, in embedded (SQLite) and Redis modes, with
// the built gateway as a real process. No job may be lost, none may reach the upstream more often than
// its `attempts` says (a job that was running at the kill is reported failed with `job_interrupted`,
// never silently re-run), and the restart time is measured. A burst of 20 over two slots; the figures
// go to results/.
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
// How long the requests that take the slots keep them: the rest of the burst must arrive meanwhile, so
// that it is queued however slowly a loaded machine sends it.
const HOLD_MS = 2000;

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
  hold: { deployments: [{ provider: openai, model: "gpt-4o-mini::latencyMs=${HOLD_MS}" }] }
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

  // The first SLOTS requests take the slots directly (their answers are not awaited: the kill may beat them);
  // every other request of the burst is queued.
  const holders = Array.from({ length: SLOTS }, (_, i) => `rel-dur-${mode}-hold-${i}-end`);
  for (const m of holders) void chat(first.url, KEY, say("hold", m), { "x-runestone-overflow": "queue" }).catch(() => undefined);
  await upstream.waitFor(() => holders.every((m) => upstreamSaw(upstream, m).length > 0), 15_000);
  const markers = Array.from({ length: BURST - SLOTS }, (_, i) => `rel-dur-${mode}-${i}-end`);
  const answers = await Promise.all(
    markers.map((m) => chat(first.url, KEY, say("work", m), { "x-runestone-overflow": "queue" }).then(async (r) => ({ marker: m, status: r.status, body: (await r.json().catch(() => undefined)) as { job_id?: string } | undefined }), () => ({ marker: m, status: 0, body: undefined }))),
  );
  for (const a of answers) expect(a.status, `${a.marker} was not queued`).toBe(202);
  const jobs = answers.map((a) => ({ id: a.body!.job_id!, marker: a.marker }));
  // Kill as soon as a queued job is running upstream: one running, the others still queued.
  await upstream.waitFor(() => jobs.some((j) => upstreamSaw(upstream, j.marker).length > 0), 15_000);
  const runningAtKill = jobs.filter((j) => upstreamSaw(upstream, j.marker).some((r) => !r.completed)).length;
  await first.kill9();

  const second = await spawnGateway(config, port, { LOG_LEVEL: "warn" });
  running.push(second);
  const restartedAt = performance.now();
  const final = new Map<string, { status: string; attempts: number; error?: { code: string; message: string }; result?: { choices: Array<{ message: { content: string } }> } }>();
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
      expect(job.error!.message).toMatch(/restart.*not retried/);
      expect(calls).toBeLessThanOrEqual(job.attempts);
    }
  }
  expect(succeeded + interrupted).toBe(jobs.length);
  // The job that was running at the kill is reported interrupted; at most the jobs a worker had taken are.
  expect(interrupted).toBeGreaterThanOrEqual(1);
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
      // Slot leases of 5 s instead of the default 30 s: the dead instance's leases and the running job's
      // BullMQ lock (10 s) must both expire before its work moves on, and the shorter lease keeps CI quick.
      const row = rec.start(`kill -9 with ${BURST} requests in flight, Redis mode`, "as embedded; the dead instance's slot leases (lease_ttl_ms 5 s here) and BullMQ locks (10 s) expire before its work moves on");
      const f = await burstKillRestart("redis", `{ redis_url: "${redis.url}", redis_prefix: "rel-dur:", lease_ttl_ms: 5000 }`, 90_000);
      rec.figures["redis: jobs killed / recovered / interrupted"] = `${f.queued} / ${f.succeeded} / ${f.interrupted}`;
      rec.figures["redis: restart to ready (ms)"] = Math.round(f.readyAfterRestartMs);
      row.pass(describeFigures(f));
    }, 180_000);
  });
});
