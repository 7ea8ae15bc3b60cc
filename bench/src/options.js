// Counts and switches for a run: CLI flags win over BENCH_* environment variables, which win over
// the defaults. Full defaults keep a run under ~10 minutes on a 2-core machine; smoke counts only
// prove that every stage runs end to end.
import { fileURLToPath } from "node:url";

export const STAGES = ["sequential", "throughput", "streaming", "concurrent-streams", "memory", "redis", "workers"];

const FULL = {
  rounds: 10,
  perRound: 500,
  warmup: 500,
  duration: 15,
  warmupDuration: 3,
  slices: 5,
  connections: 64,
  streamChunks: 100,
  chunkDelayMs: 5,
  streams: 30,
  concurrentStreams: 1000,
  slowChunks: 50,
  slowDelayMs: 100,
  memFirst: 10_000,
  memTotal: 100_000,
  memConnections: 16,
  redisRounds: 10,
  redisPerRound: 500,
  logLevel: "info",
  settleMs: 2_000,
};

const SMOKE = {
  ...FULL,
  rounds: 2,
  perRound: 20,
  warmup: 10,
  duration: 1,
  warmupDuration: 0,
  slices: 1,
  connections: 8,
  streamChunks: 10,
  chunkDelayMs: 2,
  streams: 2,
  concurrentStreams: 20,
  slowChunks: 5,
  slowDelayMs: 20,
  memFirst: 100,
  memTotal: 300,
  memConnections: 4,
  redisRounds: 2,
  redisPerRound: 20,
  settleMs: 200,
};

const FLAG_ENV = {
  rounds: "BENCH_ROUNDS",
  perRound: "BENCH_PER_ROUND",
  warmup: "BENCH_WARMUP",
  duration: "BENCH_DURATION",
  warmupDuration: "BENCH_WARMUP_DURATION",
  slices: "BENCH_SLICES",
  connections: "BENCH_CONNECTIONS",
  streamChunks: "BENCH_STREAM_CHUNKS",
  chunkDelayMs: "BENCH_CHUNK_DELAY_MS",
  streams: "BENCH_STREAMS",
  concurrentStreams: "BENCH_CONCURRENT_STREAMS",
  slowChunks: "BENCH_SLOW_CHUNKS",
  slowDelayMs: "BENCH_SLOW_DELAY_MS",
  memFirst: "BENCH_MEM_FIRST",
  memTotal: "BENCH_MEM_TOTAL",
  memConnections: "BENCH_MEM_CONNECTIONS",
  redisRounds: "BENCH_REDIS_ROUNDS",
  redisPerRound: "BENCH_REDIS_PER_ROUND",
  logLevel: "BENCH_LOG_LEVEL",
  settleMs: "BENCH_SETTLE_MS",
};

const kebab = (s) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export const USAGE = `usage: pnpm bench [--smoke] [--out DIR] [--stages a,b] [--no-pin] [--<count>=N ...]
counts (flag / env, full default): ${Object.entries(FLAG_ENV)
  .map(([k, env]) => `--${kebab(k)} / ${env} (${FULL[k]})`)
  .join(", ")}
stages: ${STAGES.join(", ")}`;

export function parseOptions(argv = process.argv.slice(2), env = process.env) {
  const flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") return { help: true };
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    const boolean = m[1] === "smoke" || m[1] === "no-pin";
    flags.set(m[1], m[2] ?? (boolean ? "true" : argv[++i]));
    if (flags.get(m[1]) === undefined) throw new Error(`--${m[1]} needs a value\n${USAGE}`);
  }
  const smoke = flags.has("smoke") ? flags.get("smoke") !== "false" : env.BENCH_SMOKE === "1";
  flags.delete("smoke");
  const base = smoke ? SMOKE : FULL;
  const opts = { ...base, smoke, pin: true, stages: [...STAGES] };
  for (const [key, envName] of Object.entries(FLAG_ENV)) {
    const raw = flags.get(kebab(key)) ?? env[envName];
    flags.delete(kebab(key));
    if (raw === undefined) continue;
    if (typeof base[key] === "number") {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${kebab(key)} needs a number, got "${raw}"`);
      opts[key] = n;
    } else opts[key] = raw;
  }
  const defaultOut = fileURLToPath(new URL(smoke ? "../results/smoke/" : "../results/", import.meta.url));
  opts.out = flags.get("out") ?? env.BENCH_OUT ?? defaultOut;
  flags.delete("out");
  if (flags.has("no-pin")) opts.pin = false;
  flags.delete("no-pin");
  if (flags.has("stages")) {
    opts.stages = flags.get("stages").split(",").map((s) => s.trim()).filter(Boolean);
    const unknown = opts.stages.filter((s) => !STAGES.includes(s));
    if (unknown.length) throw new Error(`unknown stage(s) ${unknown.join(", ")}; stages: ${STAGES.join(", ")}`);
  }
  flags.delete("stages");
  if (flags.size) throw new Error(`unknown option(s) ${[...flags.keys()].map((k) => `--${k}`).join(", ")}\n${USAGE}`);
  return opts;
}
