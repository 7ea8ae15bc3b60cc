// Reliability, part 6: what happens beyond one box, with built gateways as real processes on a real
// redis-server. Redis killed and restarted under load (admitted requests all answered, refusals a
// documented 503 while it is away, limits exact and queued jobs run once it is back), an instance
// killed with kill -9 while holding concurrency slots (the slots come back within the lease TTL), and
// two instances whose clocks are a minute apart (limits, leases and queued jobs keep Redis's time).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJob, say, upstreamSaw } from "../jobs-harness";
import { freePort, startRedis, type RedisServer } from "../redis-server";
import { spawnGateway, writeConfig, type ProcessGateway } from "./process-gateway";
import { SectionRecorder } from "./results";

const KEYS = {
  json: "sk-rel-beyond-json-0123456789",
  stream: "sk-rel-beyond-stream-0123456789",
  embed: "sk-rel-beyond-embed-0123456789",
  queued: "sk-rel-beyond-queued-0123456789",
  rpm: "sk-rel-beyond-rpm-0123456789",
  conc: "sk-rel-beyond-conc-0123456789",
};
const ADMIN_KEY = "sk-rel-beyond-admin-0123456789abcdef";
const RPM = 10;
const MAX_CONCURRENT = 3;

const yaml = (o: { upstreamUrl: string; port: number; redisUrl: string; prefix: string; leaseTtlMs: number; maxWaitMs?: number }) => `
server: { host: 127.0.0.1, port: ${o.port}, shutdown_grace_ms: 1000 }
state: { redis_url: "${o.redisUrl}", redis_prefix: "${o.prefix}", lease_ttl_ms: ${o.leaseTtlMs} }
admin: { key: ${ADMIN_KEY} }
queue: { max_per_tenant: 20, max_wait_ms: ${o.maxWaitMs ?? 120_000}, result_ttl_ms: 600000 }
providers:
  openai:
    type: openai
    base_url: ${o.upstreamUrl}/v1
    api_key: sk-rel-beyond-upstream-abcdef
    timeouts: { connect_ms: 1000, first_byte_ms: 30000, idle_ms: 30000, total_ms: 40000 }
models:
  work: { deployments: [{ provider: openai, model: "gpt-4o-mini::latencyMs=150" }] }
  hold: { deployments: [{ provider: openai, model: "gpt-4o-mini::latencyMs=5000" }] }
  stall: { deployments: [{ provider: openai, model: "gpt-4o-mini::stall=before-headers" }] }
  embed: { family: embedding, capabilities: [embeddings], deployments: [{ provider: openai, model: text-embedding-3-small }] }
tenants:
  - { id: load-json, keys: [${KEYS.json}], limits: { max_concurrent: 50 } }
  - { id: load-stream, keys: [${KEYS.stream}], limits: { max_concurrent: 50 } }
  - { id: load-embed, keys: [${KEYS.embed}], limits: { max_concurrent: 50 } }
  - { id: queued, keys: [${KEYS.queued}], limits: { max_concurrent: 1 }, overflow: queue }
  - { id: rpm, keys: [${KEYS.rpm}], limits: { requests_per_minute: ${RPM}, max_concurrent: 50 } }
  - { id: conc, keys: [${KEYS.conc}], limits: { max_concurrent: ${MAX_CONCURRENT} } }
`;

const rec = new SectionRecorder("beyond");
let upstream: MockUpstream;
let dir: string;
const gateways: ProcessGateway[] = [];
const redises: RedisServer[] = [];

beforeAll(async () => {
  upstream = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), "runestone-rel-beyond-"));
});

afterAll(async () => {
  rec.write();
  for (const g of gateways) await g.kill9();
  for (const r of redises) await r.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Two gateway processes on one Redis; `env` per instance (e.g. a clock offset). */
async function twoGateways(redis: RedisServer, prefix: string, leaseTtlMs: number, env: Array<Record<string, string>> = [{}, {}], maxWaitMs?: number): Promise<[ProcessGateway, ProcessGateway]> {
  const started = await Promise.all(
    env.map(async (e) => {
      const port = await freePort();
      const g = await spawnGateway(writeConfig(yaml({ upstreamUrl: upstream.url, port, redisUrl: redis.url, prefix, leaseTtlMs, maxWaitMs }), dir), port, { LOG_LEVEL: "warn", ...e });
      gateways.push(g);
      return g;
    }),
  );
  return [started[0]!, started[1]!];
}

function post(base: string, path: string, key: string, body: Record<string, unknown>, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...init.headers },
    body: JSON.stringify(body),
    signal: init.signal ?? AbortSignal.timeout(30_000),
  });
}

const KINDS = ["json", "stream", "embed", "poll", "usage", "admin"] as const;
/** Answered as asked: 200, or 201 for a created key. */
const ok = (a: Answer) => a.status === (a.kind === "admin" ? 201 : 200);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  kind: "json" | "stream" | "embed" | "poll" | "usage" | "admin";
  instance: number;
  marker: string;
  startedAt: number;
  endedAt: number;
  /** 0: no answer (connection error or the client's 20 s bound). */
  status: number;
  code?: string;
  retryAfter?: string | null;
  /** A 200 whose body is not the whole answer to this request. */
  wrongBody?: boolean;
  /** Usage reports: the requests counted. */
  usageRequests?: number;
}

/** One request of the steady load, checked and timed; never throws. */
async function loadRequest(kind: Answer["kind"], base: string, instance: number, marker: string, jobId?: string): Promise<Answer> {
  const startedAt = performance.now();
  const a: Answer = { kind, instance, marker, startedAt, endedAt: startedAt, status: 0 };
  try {
    const signal = AbortSignal.timeout(20_000);
    let res: Response;
    if (kind === "poll") res = await fetch(`${base}/v1/jobs/${jobId}`, { headers: { authorization: `Bearer ${KEYS.queued}` }, signal });
    else if (kind === "usage") res = await fetch(`${base}/v1/usage`, { headers: { authorization: `Bearer ${KEYS.json}` }, signal });
    else if (kind === "admin") res = await post(base, "/v1/admin/keys", ADMIN_KEY, { tenant_id: "load-json", name: marker }, { signal });
    else if (kind === "embed") res = await post(base, "/v1/embeddings", KEYS.embed, { model: "embed", input: marker }, { signal });
    else res = await post(base, "/v1/chat/completions", kind === "json" ? KEYS.json : KEYS.stream, say("work", marker, { stream: kind === "stream" }), { signal });
    const text = await res.text();
    a.status = res.status;
    a.retryAfter = res.headers.get("retry-after");
    if (res.status >= 400) a.code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    else if (kind === "json") a.wrongBody = !text.includes(`echo: ${marker}`);
    else if (kind === "stream") a.wrongBody = !text.trimEnd().endsWith("data: [DONE]") || !text.includes("echo");
    else if (kind === "embed") a.wrongBody = !text.includes('"embedding"');
    else if (kind === "admin") a.wrongBody = !text.includes('"key"');
    else if (kind === "usage") a.usageRequests = (JSON.parse(text) as { data: Array<{ requests: number }> }).data.reduce((t, r) => t + r.requests, 0);
  } catch {
    a.status = 0;
  }
  a.endedAt = performance.now();
  return a;
}

/** How far the instance's clock is from ours (s), from the time of its last log line. */
function clockOffsetS(g: ProcessGateway): number {
  const times = g
    .logs()
    .split("\n")
    .map((l) => /"time":"([^"]+)"/.exec(l)?.[1])
    .filter((t): t is string => !!t);
  expect(times.length, "the gateway logged nothing").toBeGreaterThan(0);
  return (Date.parse(times.at(-1)!) - Date.now()) / 1000;
}

/**
 * Holds every slot of the concurrency tenant with requests the upstream never answers; one refused
 * because a slot just released is still being freed is sent again.
 */
async function holdSlots(g: ProcessGateway, tag: string): Promise<{ release(): void }> {
  const abort = new AbortController();
  const markers = Array.from({ length: MAX_CONCURRENT }, (_, i) => `rel-beyond-${tag}-hold-${i}-end`);
  const hold = async (m: string) => {
    for (let attempt = 0; attempt < 50 && !abort.signal.aborted; attempt++) {
      const status = await post(g.url, "/v1/chat/completions", KEYS.conc, say("stall", m, { stream: true }), { headers: { "x-runestone-overflow": "reject" }, signal: abort.signal }).then(async (r) => (await r.text(), r.status), () => 0);
      if (status !== 429) return;
      await sleep(100);
    }
  };
  for (const m of markers) void hold(m);
  await upstream.waitFor((reqs) => markers.every((m) => reqs.some((r) => r.rawBody.includes(m))), 15_000);
  return { release: () => abort.abort() };
}

/** Sends the concurrency tenant's requests to `g` until one is admitted (200); answers when. */
async function admittedOn(g: ProcessGateway, withinMs: number): Promise<void> {
  const until = performance.now() + withinMs;
  for (;;) {
    const r = await post(g.url, "/v1/chat/completions", KEYS.conc, say("work", "rel-beyond-probe-end"), { headers: { "x-runestone-overflow": "reject" } });
    await r.text();
    if (r.status === 200) return;
    expect(r.status).toBe(429);
    if (performance.now() > until) throw new Error(`the tenant was not admitted within ${withinMs} ms`);
    await sleep(100);
  }
}

/**
 * `holder` takes every slot, keeps it past one lease TTL while `other` is refused, and is killed
 * with kill -9; answers how long until `other` admits the tenant again, having checked that every
 * slot came back (exactly MAX_CONCURRENT held at once, the next refused).
 */
async function slotsAfterKill(holder: ProcessGateway, other: ProcessGateway, ttl: number, tag: string): Promise<{ backAfterMs: number; refusedWhileHeld: number }> {
  await holdSlots(holder, tag);
  let refusedWhileHeld = 0;
  const heldUntil = performance.now() + ttl + 1000;
  while (performance.now() < heldUntil) {
    const r = await post(other.url, "/v1/chat/completions", KEYS.conc, say("work", `rel-beyond-${tag}-early-end`), { headers: { "x-runestone-overflow": "reject" } });
    const body = (await r.json()) as { error?: { code?: string } };
    expect(r.status, "admitted while the holder was alive: a lease expired early").toBe(429);
    expect(body.error?.code).toBe("rate_limit_exceeded");
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    refusedWhileHeld++;
    await sleep(200);
  }
  await holder.kill9();
  const killedAt = performance.now();
  const first = await post(other.url, "/v1/chat/completions", KEYS.conc, say("work", `rel-beyond-${tag}-first-end`), { headers: { "x-runestone-overflow": "reject" } });
  await first.text();
  // The last renewal was at most a third of the TTL before the kill, so the leases outlive it.
  expect(first.status, "slots freed at once by a kill -9: a lease expired early").toBe(429);
  await admittedOn(other, ttl + 3000);
  const backAfterMs = performance.now() - killedAt;
  expect(backAfterMs).toBeLessThan(ttl + 3000);
  // Every slot is back, and the limit is exact again (once the probe that was admitted has released its own).
  await sleep(500);
  const retake = new AbortController();
  const markers = Array.from({ length: MAX_CONCURRENT + 1 }, (_, i) => `rel-beyond-${tag}-retake-${i}-end`);
  const pending = markers.map((m) => post(other.url, "/v1/chat/completions", KEYS.conc, say("stall", m), { headers: { "x-runestone-overflow": "reject" }, signal: retake.signal }).then(async (r) => (await r.text(), r.status), () => 0));
  const refusedAt = await Promise.race(pending.map((p, i) => p.then((st) => ({ st, i }))));
  expect(refusedAt.st).toBe(429);
  await upstream.waitFor((reqs) => reqs.filter((r) => markers.some((m) => r.rawBody.includes(m))).length === MAX_CONCURRENT, 10_000);
  await sleep(300);
  expect(upstream.requests.filter((r) => markers.some((m) => r.rawBody.includes(m)))).toHaveLength(MAX_CONCURRENT);
  retake.abort();
  expect((await Promise.all(pending)).filter((st) => st === 429)).toHaveLength(1);
  return { backAfterMs, refusedWhileHeld };
}

describe("beyond one box", () => {
  it("Redis killed and restarted mid-load: every admitted request answered, 503 while it is away, then limits exact and queued jobs run", async () => {
    const row = rec.start(
      "Redis killed (kill -9) and restarted on the same port under load from 3 tenants on 2 instances, with 4 queued jobs",
      "every request answered within 20 s, 200 (201 for a key) or 503 state_unavailable with Retry-After (fail closed), never 500; every request the upstream saw answered 200; both instances admit within 15 s of Redis returning; an RPM window survives exactly (appendonly, fsync always); jobs queued before the kill all succeed once",
    );
    const redisDir = mkdtempSync(join(dir, "redis-"));
    let redis = await startRedis({ persist: true, dir: redisDir });
    redises.push(redis);
    const gws = await twoGateways(redis, "rel-beyond-restart:", 3000);
    const at = (i: number) => gws[i % 2]!.url;

    // Queue tenant: one slot, held through the outage by a 5 s request, so 4 jobs wait in the queue.
    const holder = post(at(0), "/v1/chat/completions", KEYS.queued, say("hold", "rel-beyond-holder-end"), { headers: { "x-runestone-overflow": "reject" } }).then(
      async (r) => ({ status: r.status, text: await r.text() }),
      () => ({ status: 0, text: "" }),
    );
    await upstream.waitFor((reqs) => reqs.some((r) => r.rawBody.includes("rel-beyond-holder-end")), 15_000);
    const jobs: Array<{ id: string; marker: string }> = [];
    for (let i = 0; i < 4; i++) {
      const marker = `rel-beyond-job-${i}-end`;
      const res = await post(at(i), "/v1/chat/completions", KEYS.queued, say("work", marker));
      const body = (await res.json()) as { job_id: string };
      expect(res.status, JSON.stringify(body)).toBe(202);
      jobs.push({ id: body.job_id, marker });
    }
    // A third of the RPM tenant's minute is spent before the kill; the window must survive the restart.
    const before = await Promise.all(Array.from({ length: 4 }, (_, i) => post(at(i), "/v1/chat/completions", KEYS.rpm, say("work", `rel-beyond-rpm-before-${i}-end`)).then(async (r) => (await r.text(), r.status))));
    expect(before).toEqual([200, 200, 200, 200]);

    // Steady load: 2 loops per kind, alternating instances, until told to stop.
    const answers: Answer[] = [];
    let stop = false;
    let n = 0;
    const loop = async (kind: Answer["kind"], lane: number) => {
      for (let i = lane; !stop; i++) {
        const jobId = jobs[i % jobs.length]!.id;
        answers.push(await loadRequest(kind, at(i), i % 2, `rel-beyond-load-${kind}-${n++}-end`, jobId));
        if (kind === "poll" || kind === "usage" || kind === "admin") await sleep(50);
      }
    };
    const loops = KINDS.flatMap((k) => [loop(k, 0), loop(k, 1)]);

    const loadFrom = performance.now();
    await sleep(1500);
    const killedAt = performance.now();
    await redis.crash();
    await sleep(3000);
    redis = await startRedis({ persist: true, dir: redisDir, port: redis.port });
    redises.push(redis);
    const backAt = performance.now();

    // Both instances admit again: a request sent after Redis returned, answered 200, on each.
    const recoveredMs: number[] = [];
    for (const i of [0, 1]) {
      const until = backAt + 20_000;
      for (;;) {
        const first = answers.find((a) => a.instance === i && ["json", "stream", "embed"].includes(a.kind) && a.startedAt >= backAt && a.status === 200);
        if (first) {
          recoveredMs[i] = first.endedAt - backAt;
          break;
        }
        if (performance.now() > until) break;
        await sleep(50);
      }
    }
    await sleep(1500);
    stop = true;
    await Promise.all(loops);
    const loadMs = performance.now() - loadFrom;
    const holderAnswer = await holder;

    expect(gws.every((g) => g.alive()), `a gateway exited: ${gws.map((g) => g.stderr()).join("\n")}`).toBe(true);
    expect(answers.filter((a) => a.status === 0), "requests with no answer within 20 s").toEqual([]);
    expect(answers.filter((a) => !ok(a) && a.status !== 503), "statuses other than 200 (201 for a key) and 503").toEqual([]);
    const refused = answers.filter((a) => a.status === 503);
    for (const a of refused) {
      expect(a.code).toBe("state_unavailable");
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(refused.length, "no request was refused while Redis was away").toBeGreaterThan(0);
    expect(answers.filter((a) => a.wrongBody), "200s without their whole answer").toEqual([]);
    // A usage report is refused while Redis is away, never answered with what it could not read: by the
    // kill the tenant had 1.5 s of requests on the books.
    expect(answers.filter((a) => a.kind === "usage" && a.startedAt >= killedAt && a.status === 200 && !a.usageRequests), "usage reports answered empty").toEqual([]);
    // Fail closed, not fail slow: the whole outage is answered at once, not held until Redis returns.
    const slowest = Math.max(...answers.map((a) => a.endedAt - a.startedAt));
    expect(slowest).toBeLessThan(10_000);
    expect(recoveredMs.every((ms) => ms !== undefined && ms < 15_000), `instances admitting again after (ms): ${recoveredMs}`).toBe(true);
    // No admitted request lost: whatever reached the upstream was answered 200 to its client.
    const byMarker = new Map(answers.map((a) => [a.marker, a]));
    const seen = upstream.requests.map((r) => /rel-beyond-load-[a-z]+-\d+-end/.exec(r.rawBody)?.[0]).filter((m): m is string => !!m);
    expect(seen.length).toBeGreaterThan(0);
    for (const m of seen) expect(byMarker.get(m)?.status, `${m} reached the upstream`).toBe(200);
    expect(holderAnswer.status).toBe(200);

    // The RPM window kept its 4 admissions through the restart: exactly 6 more, over both instances.
    const after = await Promise.all(Array.from({ length: 12 }, (_, i) => post(at(i), "/v1/chat/completions", KEYS.rpm, say("work", `rel-beyond-rpm-after-${i}-end`)).then(async (r) => (await r.text(), r.status))));
    expect(after.filter((s) => s === 200)).toHaveLength(RPM - 4);
    expect(after.filter((s) => s === 429)).toHaveLength(12 - (RPM - 4));

    // The jobs queued before the kill all run, each exactly once.
    const jobsFrom = performance.now();
    for (const j of jobs) {
      for (;;) {
        const { status, body } = await getJob(at(0), KEYS.queued, j.id);
        expect(status).toBe(200);
        if (!["queued", "running"].includes(body.status)) {
          expect(body.status, JSON.stringify(body)).toBe("succeeded");
          expect(body.result.choices[0].message.content).toBe(`echo: ${j.marker}`);
          break;
        }
        if (performance.now() - jobsFrom > 30_000) throw new Error(`job ${j.id} still ${body.status} 30 s after Redis returned`);
        await sleep(100);
      }
      expect(upstreamSaw(upstream, j.marker)).toHaveLength(1);
    }
    const jobsFinalMs = performance.now() - backAt;

    const refusedByKind = KINDS.map((k) => `${k} ${refused.filter((a) => a.kind === k).length}`).join(", ");
    const outage = answers.filter((a) => a.startedAt >= killedAt && a.startedAt < backAt);
    const figures = {
      answered: answers.length,
      ok: answers.filter(ok).length,
      refused: refused.length,
      duringOutage: outage.length,
      recovered: recoveredMs.map((ms) => Math.round(ms)),
      slowest: Math.round(slowest),
    };
    rec.figures["redis restart: requests answered / 200 / 503 state_unavailable"] = `${figures.answered} / ${figures.ok} / ${figures.refused}`;
    rec.figures["redis restart: instances admitting again after Redis returned (ms)"] = figures.recovered.join(", ");
    rec.figures["redis restart: queued jobs all succeeded after Redis returned (s)"] = (jobsFinalMs / 1000).toFixed(1);
    row.pass(
      `${figures.answered} requests (chat JSON, chat streams, embeddings, job polls, usage reports, admin key creations) over ${(loadMs / 1000).toFixed(1)} s, Redis down 3 s: ${figures.ok} answered 200 (201 for keys), ${figures.refused} 503 state_unavailable (${refusedByKind}; ${figures.duringOutage} requests sent during the outage), 0 other statuses, 0 unanswered, slowest ${figures.slowest} ms; ${seen.length} requests reached the upstream, all answered 200; instances admitting again ${figures.recovered.join(" and ")} ms after Redis returned; RPM ${RPM}: 4 before + exactly ${RPM - 4} after; 4 queued jobs succeeded once each, all final ${(jobsFinalMs / 1000).toFixed(1)} s after Redis returned`,
    );
  }, 120_000);
  it("an instance killed (kill -9) holding a tenant's slots: the other instance refuses until the leases expire, then has every slot back", async () => {
    const ttl = 4000;
    const row = rec.start(
      `instance killed (kill -9) while holding all ${MAX_CONCURRENT} slots of a tenant (lease_ttl_ms ${ttl})`,
      `the other instance refuses the tenant (429) while the holder lives, even past the lease TTL (leases renewed), and right after the kill; admits it within the TTL + 3 s of the kill; then holds exactly ${MAX_CONCURRENT} at once again`,
    );
    const redis = await startRedis();
    redises.push(redis);
    const [a, b] = await twoGateways(redis, "rel-beyond-lease:", ttl);
    const f = await slotsAfterKill(a, b, ttl, "lease");
    rec.figures[`kill -9 holding slots: slots back after (ms, lease TTL ${ttl})`] = Math.round(f.backAfterMs);
    row.pass(`${f.refusedWhileHeld} requests refused on the other instance during ${((ttl + 1000) / 1000).toFixed(1)} s of holding (past the TTL), first request after the kill refused too; admitted ${Math.round(f.backAfterMs)} ms after the kill (lease TTL ${ttl} ms); then ${MAX_CONCURRENT} held at once and the next refused`);
  }, 90_000);

  describe("instances whose clocks are a minute apart (one +30 s, one -30 s)", () => {
    const SKEW_MS = 30_000;
    const SKEW_TTL_MS = 4000;
    let a: ProcessGateway;
    let b: ProcessGateway;
    beforeAll(async () => {
      // Shifts Date (now and new Date()) in the gateway process; performance.now stays monotonic.
      const preload = join(dir, "skew-clock.mjs");
      writeFileSync(
        preload,
        `const offset = Number(process.env.RUNESTONE_TEST_CLOCK_OFFSET_MS);
const RealDate = Date;
globalThis.Date = new Proxy(RealDate, {
  construct: (target, args, newTarget) => (args.length ? Reflect.construct(target, args, newTarget) : new target(target.now() + offset)),
  apply: (target) => new target(target.now() + offset).toString(),
  get: (target, prop, receiver) => (prop === "now" ? () => target.now() + offset : Reflect.get(target, prop, receiver)),
});
`,
      );
      const redis = await startRedis();
      redises.push(redis);
      const skewed = (offset: number) => ({ NODE_OPTIONS: `--import ${pathToFileURL(preload).href}`, RUNESTONE_TEST_CLOCK_OFFSET_MS: String(offset), LOG_LEVEL: "info" });
      [a, b] = await twoGateways(redis, "rel-beyond-skew:", SKEW_TTL_MS, [skewed(SKEW_MS), skewed(-SKEW_MS)], 40_000);
    }, 90_000);

    it("queued jobs keep their wait: a job queued on the slow instance is not expired by the fast one", async () => {
      const row = rec.start(
        "clock skew: a job queued on the -30 s instance while the +30 s instance sweeps the shared queue (max_wait_ms 40 s)",
        "the job stays queued (its wait is measured on Redis's clock) and /health on the fast instance reads its true wait, then it runs once when the tenant's slot frees",
      );
      const hold = new AbortController();
      const holding = post(b.url, "/v1/chat/completions", KEYS.queued, say("stall", "rel-beyond-skew-holder-end"), { headers: { "x-runestone-overflow": "reject" }, signal: hold.signal }).catch(() => undefined);
      await upstream.waitFor((reqs) => reqs.some((r) => r.rawBody.includes("rel-beyond-skew-holder-end")), 15_000);
      const res = await post(b.url, "/v1/chat/completions", KEYS.queued, say("work", "rel-beyond-skew-job-end"));
      const queued = (await res.json()) as { job_id: string };
      expect(res.status, JSON.stringify(queued)).toBe(202);
      // The fast instance's sweeper runs every second: three sweeps.
      await sleep(3500);
      const seen = await getJob(a.url, KEYS.queued, queued.job_id);
      expect(seen.body.status, JSON.stringify(seen.body)).toBe("queued");
      // And the fast instance's /health sees the job waiting seconds, not the skew (which would read degraded).
      const health = (await (await fetch(`${a.url}/health`)).json()) as { components: { queue: { status: string; details: { oldest_wait_ms: number } } } };
      expect(health.components.queue.details.oldest_wait_ms).toBeLessThan(15_000);
      expect(health.components.queue.status).toBe("healthy");
      // The skew is real: each instance's log lines carry its own clock, 30 s ahead or behind.
      await Promise.all([a, b].map((g) => fetch(`${g.url}/v1/models`, { headers: { authorization: `Bearer ${KEYS.queued}` } }).then((r) => r.text())));
      await sleep(300);
      const offsets = [a, b].map((g) => clockOffsetS(g));
      expect(offsets[0]).toBeGreaterThan(25);
      expect(offsets[1]).toBeLessThan(-25);
      rec.figures["clock skew: instance clocks vs the test's (s)"] = offsets.map((o) => (o > 0 ? `+${o.toFixed(1)}` : o.toFixed(1))).join(", ");
      hold.abort();
      await holding;
      const until = performance.now() + 20_000;
      let job = seen.body;
      while (["queued", "running"].includes(job.status) && performance.now() < until) {
        await sleep(100);
        job = (await getJob(a.url, KEYS.queued, queued.job_id)).body;
      }
      expect(job.status, JSON.stringify(job)).toBe("succeeded");
      expect(upstreamSaw(upstream, "rel-beyond-skew-job-end")).toHaveLength(1);
      row.pass(`still queued after 3.5 s of sweeps by the +30 s instance, which reported it waiting ${(health.components.queue.details.oldest_wait_ms / 1000).toFixed(1)} s (instance clocks ${offsets.map((o) => o.toFixed(1)).join(" s and ")} s off the test's); ran once and succeeded when the slot freed`);
    }, 60_000);

    it("a requests-per-minute limit stays exact across the two instances", async () => {
      const row = rec.start(
        `clock skew: a burst of ${3 * RPM} requests for a tenant of ${RPM} requests per minute, spread over the +30 s and -30 s instances`,
        `exactly ${RPM} admitted, the rest 429, both instances refusing after; both report the same window reset (Redis's TIME, not the instances' clocks)`,
      );
      const burst = await Promise.all(Array.from({ length: 3 * RPM }, (_, i) => post(i % 2 ? b.url : a.url, "/v1/chat/completions", KEYS.rpm, say("work", `rel-beyond-skew-rpm-${i}-end`)).then(async (r) => (await r.text(), r.status))));
      expect(burst.filter((st) => st === 200)).toHaveLength(RPM);
      expect(burst.filter((st) => st === 429)).toHaveLength(2 * RPM);
      const after = await Promise.all([a, b].map((g) => post(g.url, "/v1/chat/completions", KEYS.rpm, say("work", "rel-beyond-skew-rpm-after-end"))));
      expect(after.map((r) => r.status)).toEqual([429, 429]);
      const resets = after.map((r) => parseFloat(r.headers.get("x-ratelimit-reset-requests") ?? "NaN"));
      await Promise.all(after.map((r) => r.text()));
      expect(Math.abs(resets[0]! - resets[1]!), `reset-requests headers: ${resets}`).toBeLessThan(5);
      row.pass(`${burst.filter((st) => st === 200).length} admitted of ${burst.length}, then 429 on both; window reset reported ${resets.join(" s and ")} by the two instances`);
    }, 60_000);

    it("leases are neither expired early nor kept late", async () => {
      const HOLD_S = 6;
      const row = rec.start(
        `clock skew: the -30 s instance holds all ${MAX_CONCURRENT} slots for ${HOLD_S} s (lease TTL ${SKEW_TTL_MS / 1000} s), then the +30 s instance holds them and is killed (kill -9)`,
        "the fast instance refuses while the slow one holds (not expired early) and admits as soon as they are released; after the fast one is killed the slow one admits within the TTL + 3 s (not late)",
      );
      const held = await holdSlots(b, "skew-slow");
      let refused = 0;
      const until = performance.now() + HOLD_S * 1000;
      while (performance.now() < until) {
        const r = await post(a.url, "/v1/chat/completions", KEYS.conc, say("work", "rel-beyond-skew-early-end"), { headers: { "x-runestone-overflow": "reject" } });
        await r.text();
        expect(r.status, "the fast instance admitted while the slow one held every slot").toBe(429);
        refused++;
        await sleep(200);
      }
      held.release();
      const freedAt = performance.now();
      await admittedOn(a, 10_000);
      const releasedAfterMs = performance.now() - freedAt;
      const f = await slotsAfterKill(a, b, SKEW_TTL_MS, "skew");
      rec.figures[`clock skew (+/-30 s): slots back after a kill (ms, lease TTL ${SKEW_TTL_MS})`] = Math.round(f.backAfterMs);
      row.pass(`${refused} refusals on the fast instance over ${HOLD_S} s of holding; admitted ${Math.round(releasedAfterMs)} ms after the release; slots of the killed fast instance back after ${Math.round(f.backAfterMs)} ms (TTL ${SKEW_TTL_MS} ms)`);
    }, 90_000);
  });
});
