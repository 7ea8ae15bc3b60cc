#!/usr/bin/env node
// pnpm bench: starts the mock upstream, Runestone, Portkey (and redis-server) on loopback, runs the
// six measurements of issue 8 in one go, and writes results.json, results.md and chart.svg.
// Plain ES modules so the kit runs on a fresh clone without a build step of its own.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderChart } from "./chart-svg.js";
import { cpuLayout, machineFacts, pinSelf } from "./machine.js";
import { parseOptions, USAGE } from "./options.js";
import { runCli, stopAll } from "./processes.js";
import { renderMarkdown } from "./report-md.js";
import { checkBuilt, startMock } from "./services.js";
import * as stage from "./stages/index.js";
import { checkTargets } from "./targets.js";

const RUNNERS = {
  sequential: stage.sequential,
  throughput: stage.throughput,
  streaming: stage.streaming,
  "concurrent-streams": stage.concurrentStreamsStage,
  memory: stage.memory,
  redis: stage.redisMode,
  workers: stage.workers,
};
// Stages that share the Runestone/Portkey peers; after the last of them the peers stop.
const PEER_STAGES = new Set(["sequential", "throughput", "streaming"]);

const DEFAULT_OUT = fileURLToPath(new URL("../results/", import.meta.url));
const README = fileURLToPath(new URL("../README.md", import.meta.url));

/** Puts the latest full run's tables into bench/README.md between its results markers. */
function refreshReadme(md) {
  const start = "<!-- results:start -->";
  const end = "<!-- results:end -->";
  const readme = readFileSync(README, "utf8");
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a === -1 || b < a) return;
  const body = md
    .split("\n")
    .filter((line) => !line.startsWith("# "))
    .map((line) => (line.startsWith("## ") ? `#${line}` : line))
    .join("\n")
    .replace("](chart.svg)", "](results/chart.svg)")
    .trim();
  writeFileSync(README, `${readme.slice(0, a + start.length)}\n${body}\n${readme.slice(b)}`);
}

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

async function main() {
  const opts = parseOptions();
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  checkBuilt();
  const startedAt = new Date();
  const t0 = performance.now();
  const layout = cpuLayout(opts.pin);
  pinSelf(layout.loadgen);
  const runDir = mkdtempSync(join(tmpdir(), "runestone-bench-"));
  const logDir = join(runDir, "logs");
  mkdirSync(logDir);
  const machine = machineFacts();
  const ctx = { opts, layout, machine, runDir, logDir, problems: 0 };
  log(`${opts.smoke ? "smoke" : "full"} run; ${machine.cpu_model}, ${machine.cores} cores, ${machine.memory_gb} GB, node ${machine.node}, ${machine.kernel}`);
  log(`CPU layout: ${layout.description}`);
  log(`work dir (configs and child stderr): ${runDir}`);

  const stages = {};
  const stageSeconds = {};
  let failed = 0;
  const assemble = () => ({
    meta: {
      started_at: startedAt.toISOString(),
      elapsed_s: Math.round((performance.now() - t0) / 100) / 10,
      stage_seconds: stageSeconds,
      smoke: opts.smoke,
      command: opts.smoke ? "pnpm bench:smoke" : "pnpm bench",
      machine,
      load_average_at_end: loadavg().map((l) => Math.round(l * 100) / 100),
      layout: { pinned: layout.pinned, loadgen: layout.loadgen, mock: layout.mock, gateway: layout.gateway, workers_stage: layout.all, description: layout.description },
      options: Object.fromEntries(Object.entries(opts).filter(([k]) => k !== "out")),
      gateway_env: { NODE_ENV: "production", logging_level: opts.logLevel },
    },
    targets: checkTargets(stages),
    stages,
  });
  mkdirSync(opts.out, { recursive: true });
  // After each stage, so a long run can be watched and an interrupted one keeps what it measured.
  const partialPath = join(opts.out, "results.partial.json");
  try {
    ctx.mock = await startMock(ctx);
    for (const name of opts.stages) {
      const s0 = performance.now();
      log(`stage ${name} ...`);
      try {
        stages[name] = await RUNNERS[name](ctx);
        log(`stage ${name} done in ${((performance.now() - s0) / 1000).toFixed(1)} s`);
      } catch (err) {
        failed++;
        stages[name] = { error: String(err?.stack ?? err) };
        log(`stage ${name} FAILED: ${err?.message ?? err}`);
      }
      stageSeconds[name] = Math.round((performance.now() - s0) / 100) / 10;
      const later = opts.stages.slice(opts.stages.indexOf(name) + 1);
      if (!later.some((s) => PEER_STAGES.has(s))) await stage.stopPeers(ctx);
      writeFileSync(partialPath, `${JSON.stringify(assemble(), null, 2)}\n`);
    }
  } finally {
    await stage.stopPeers(ctx);
    await stopAll();
  }

  const results = assemble();
  const md = renderMarkdown(results);
  writeFileSync(join(opts.out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(opts.out, "results.md"), md);
  writeFileSync(join(opts.out, "chart.svg"), renderChart(results));
  rmSync(partialPath, { force: true });
  if (!opts.smoke && opts.out === DEFAULT_OUT) refreshReadme(md);
  process.stdout.write(`${md}\n`);
  log(`wrote ${join(opts.out, "results.json")}, results.md and chart.svg in ${results.meta.elapsed_s} s`);
  if (failed || ctx.problems) log(`${failed} stage(s) and ${ctx.problems} target(s) failed; child logs kept in ${logDir}`);
  else if (!process.env.BENCH_KEEP) rmSync(runDir, { recursive: true, force: true });
  return failed ? 1 : 0;
}

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.once(sig, () => {
    log(`${sig}: stopping child processes`);
    stopAll().finally(() => process.exit(130));
  });
}

runCli(main, (err) => log(`failed: ${err?.stack ?? err}`));
