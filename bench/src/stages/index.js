// The six measurements of issue 8, each a function of the run context. Every stage starts the
// gateways it needs and stops them, so a stage can run alone (--stages=...).
import { directTarget, floorTarget, portkeyTarget, runestoneTarget } from "../client.js";
import { cpuSeconds, memoryOf, processTree, sleep } from "../processes.js";
import { redisCommandsProcessed, startFloor, startPortkey, startRedis, startRunestone } from "../services.js";
import { sequentialRounds } from "./sequential.js";
import { concurrentStreams, streamRounds } from "./streaming.js";
import { saturate, saturateInterleaved, sendAmount } from "./throughput.js";

/**
 * Runestone at the default log level, Runestone at warn, Portkey and the two floors (bare Node
 * proxy; Express + express.json + express-openapi-validator forward), shared by stages 1 to 3a
 * (started on first use, stopped by stopPeers). The floors relay plain answers and streams alike.
 */
async function withPeers(ctx, fn) {
  if (!ctx.peers) {
    const peers = { started: [] };
    ctx.peers = peers;
    const track = (p) => p.then((s) => (peers.started.push(s), s));
    try {
      [peers.rs, peers.rsWarn, ctx.portkey, peers.nodeFloor, peers.expressFloor] = await settleAll([
        track(startRunestone(ctx, { name: "runestone" })),
        track(startRunestone(ctx, { name: "runestone-warn", logLevel: "warn" })),
        track(startPortkey(ctx)),
        track(startFloor(ctx, "node-floor")),
        track(startFloor(ctx, "express-floor")),
      ]);
    } catch (err) {
      await stopPeers(ctx);
      throw err;
    }
  }
  const { rs, rsWarn, nodeFloor, expressFloor } = ctx.peers;
  const floors = (kind) => [
    { ...floorTarget(ctx, nodeFloor, kind, "node-floor", "Node floor (node:http + undici)"), pid: nodeFloor.proc.pid },
    { ...floorTarget(ctx, expressFloor, kind, "express-floor", "card floor (Express + validator + undici)"), pid: expressFloor.proc.pid },
  ];
  const targets = (kind) => [
    directTarget(ctx, kind),
    ...floors(kind),
    { ...runestoneTarget(rs, kind), pid: rs.proc.pid },
    { ...runestoneTarget(rsWarn, kind, "runestone-warn", "Runestone (log level warn)"), pid: rsWarn.proc.pid },
    { ...portkeyTarget(ctx, kind), pid: ctx.portkey.proc.pid },
  ];
  return fn(targets);
}

/** Like Promise.all, but waits for every start to settle first, so a failure leaves nothing unstopped. */
async function settleAll(promises) {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => r.value);
}

export async function stopPeers(ctx) {
  const peers = ctx.peers;
  ctx.peers = undefined;
  if (peers) await Promise.all(peers.started.map((s) => s.proc.stop()));
}

export async function sequential(ctx) {
  const { rounds, perRound, warmup } = ctx.opts;
  return withPeers(ctx, async (targets) => ({
    rounds,
    per_round: perRound,
    warmup,
    targets: await sequentialRounds(targets("plain"), { rounds, perRound, warmup }),
  }));
}

export async function throughput(ctx) {
  const { connections, duration, warmupDuration, slices } = ctx.opts;
  return withPeers(ctx, async (targets) => {
    // CPU the proxy process spent during each slice, per request it answered
    const onSlice = (t) => {
      if (!t.pid) return undefined;
      const cpu0 = cpuSeconds(t.pid);
      return () => cpuSeconds(t.pid) - cpu0;
    };
    const rows = await saturateInterleaved(targets("plain"), { connections, duration, warmupDuration, slices, onSlice });
    return {
      connections,
      duration_s: duration,
      slices,
      targets: rows.map(({ slice_extras, ...r }) => {
        const measured = slice_extras.every((x) => typeof x === "number");
        const cpu = measured ? slice_extras.reduce((a, b) => a + b, 0) : undefined;
        return {
          ...r,
          proxy_cpu_us_per_request: cpu === undefined || !r.requests_ok ? null : Math.round((cpu / r.requests_ok) * 1e6),
          slice_cpu_us_per_request: measured ? slice_extras.map((c, i) => (r.slice_requests_ok[i] ? Math.round((c / r.slice_requests_ok[i]) * 1e6) : null)) : undefined,
        };
      }),
    };
  });
}

export async function streaming(ctx) {
  const { streams, streamChunks, chunkDelayMs } = ctx.opts;
  return withPeers(ctx, async (targets) => ({
    chunks: streamChunks,
    chunk_delay_ms: chunkDelayMs,
    streams_per_target: streams,
    targets: await streamRounds(targets("stream").filter((t) => t.id !== "runestone-warn"), { streams }),
  }));
}

export async function concurrentStreamsStage(ctx) {
  const { concurrentStreams: count, slowChunks, slowDelayMs } = ctx.opts;
  const gw = await startRunestone(ctx, { name: "runestone-streams" });
  try {
    await sleep(ctx.opts.settleMs / 4);
    const r = await concurrentStreams(runestoneTarget(gw, "slow"), gw.proc.pid, { count, expectedMs: (slowChunks + 2) * slowDelayMs });
    return { chunks: slowChunks, chunk_delay_ms: slowDelayMs, ...r, peak_rss_mb: Math.max(r.peak_rss_hwm_mb ?? 0, r.peak_rss_sampled_mb ?? 0) };
  } finally {
    await gw.proc.stop();
  }
}

export async function memory(ctx) {
  const { memFirst, memTotal, memConnections, settleMs } = ctx.opts;
  const gw = await startRunestone(ctx, { name: "runestone-memory" });
  try {
    const t = runestoneTarget(gw, "plain");
    const settle = async () => {
      await sleep(settleMs);
      return memoryOf(gw.proc.pid);
    };
    const idle = await settle();
    const first = await sendAmount(t, { amount: memFirst, connections: memConnections });
    const afterFirst = await settle();
    const rest = await sendAmount(t, { amount: memTotal - memFirst, connections: memConnections });
    const afterTotal = await settle();
    const growth = afterFirst && afterTotal ? (afterTotal.rss_mb - afterFirst.rss_mb) / afterFirst.rss_mb : null;
    return {
      connections: memConnections,
      settle_ms: settleMs,
      idle_rss_mb: idle?.rss_mb,
      [`after_${memFirst}_rss_mb`]: afterFirst?.rss_mb,
      [`after_${memTotal}_rss_mb`]: afterTotal?.rss_mb,
      after_first: { requests: memFirst, ...afterFirst },
      after_total: { requests: memTotal, ...afterTotal },
      growth_pct: growth === null ? null : Math.round(growth * 1000) / 10,
      errors: first.errors + rest.errors,
    };
  } finally {
    await gw.proc.stop();
  }
}

async function redisFor(ctx) {
  ctx.redis ??= await startRedis(ctx);
  return ctx.redis;
}

export async function redisMode(ctx) {
  const { redisRounds: rounds, redisPerRound: perRound, warmup } = ctx.opts;
  const redis = await redisFor(ctx);
  const started = [];
  const notes = [];
  try {
    const track = (p) => p.then((s) => (started.push(s), s));
    const [embedded, viaRedis] = await settleAll([
      track(startRunestone(ctx, { name: "runestone-embedded-limits", limits: true })),
      track(startRunestone(ctx, { name: "runestone-redis-limits", limits: true, env: { RUNESTONE_REDIS_URL: redis.url } })),
    ]);
    // Background commands (queue polling, lease renewal) are counted over an idle second and
    // subtracted, so the figure is what requests cost.
    const idle0 = await redisCommandsProcessed(redis.port);
    await sleep(1_000);
    const idle1 = await redisCommandsProcessed(redis.port);
    const idlePerSecond = idle1 - idle0 - 1;
    const t0 = performance.now();
    const before = await redisCommandsProcessed(redis.port);
    const targets = await sequentialRounds(
      [directTarget(ctx, "plain"), runestoneTarget(embedded, "plain", "embedded", "Runestone embedded (limits on)"), runestoneTarget(viaRedis, "plain", "redis", "Runestone + Redis (limits on)")],
      { rounds, perRound, warmup },
    );
    const after = await redisCommandsProcessed(redis.port);
    const seconds = (performance.now() - t0) / 1000;
    const redisTarget = targets.find((t) => t.id === "redis");
    const sent = redisTarget.requests + redisTarget.errors + warmup;
    const background = Math.max(0, idlePerSecond) * seconds;
    const perRequest = Math.round((Math.max(0, after - before - 1 - background) / sent) * 100) / 100; // -1: our own INFO
    if (!(perRequest >= 0.5)) {
      notes.push(
        `Redis mode is not in effect yet: the gateway sent ${after - before - 1} commands to Redis for ${sent} requests, so the "Redis" row measures embedded state with RUNESTONE_REDIS_URL set. Rerun once shared state lands.`,
      );
    }
    return { rounds, per_round: perRound, redis_commands_per_request: perRequest, redis_idle_commands_per_s: idlePerSecond, targets, notes };
  } finally {
    await Promise.all(started.map((s) => s.proc.stop()));
  }
}

export async function workers(ctx) {
  const { connections, duration, warmupDuration } = ctx.opts;
  const redis = await redisFor(ctx);
  const out = [];
  const notes = [];
  for (const n of [1, 2]) {
    const name = `runestone-workers-${n}`;
    let gw;
    try {
      gw = await startRunestone(ctx, { name, cpus: ctx.layout.all, env: { RUNESTONE_WORKERS: String(n), RUNESTONE_REDIS_URL: redis.url } });
      await sleep(ctx.opts.settleMs / 2);
      const processes = processTree(gw.proc.pid).length;
      const r = await saturate(runestoneTarget(gw, "plain", `workers-${n}`, `RUNESTONE_WORKERS=${n}`), { connections, duration, warmupDuration });
      out.push({ workers: n, processes, ...r });
    } catch (err) {
      ctx.problems++;
      out.push({ workers: n, error: String(err.message ?? err) });
    } finally {
      await gw?.proc.stop();
    }
  }
  const [one, two] = out;
  if (one?.processes !== undefined && two?.processes !== undefined && two.processes <= one.processes) {
    notes.push(`RUNESTONE_WORKERS is not in effect yet: with 2 the gateway ran as ${two.processes} process(es), the same as with 1, so both rows measure one process.`);
  }
  const speedup = one?.requests_per_s && two?.requests_per_s ? Math.round((two.requests_per_s / one.requests_per_s) * 100) / 100 : null;
  return { connections, duration_s: duration, cpus: ctx.layout.all ?? "all", speedup, targets: out, notes };
}
