#!/usr/bin/env node
// CPU time per request of several gateways or floors
// under autocannon saturation, interleaved in reps. Each target: "node-floor", "express-floor",
// "runestone" (apps/gateway/dist/main.js), "rs=<path to a main.js>" (a copied dist), or "floor=<path
// to a floor .js>"; a floor takes ^-separated flags of its own (express-floor^--born). A Runestone target
// takes ^-separated flags: ^warn (log level warn), ^nometrics, and any ^--node-option (e.g.
// runestone^--trace-gc, whose lines land in the run's logs/<target>.stdout.log);
// FLOOR_NODE_ARGS="--opt ..." passes node options to the floors. --prof writes a .cpuprofile per target
// into --out and prints its summary.
// Usage: node bench/src/cpu-probe.js --targets express-floor,runestone --duration 4 --reps 3 [--prof]
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, basename } from "node:path";
import autocannon from "autocannon";
import { requestBody, requestHeaders, runestoneTarget, floorTarget } from "./client.js";
import { probeContext } from "./machine.js";
import { cpuSeconds, runCli, stopAll } from "./processes.js";
import { startFloor, startMock, startRunestone } from "./services.js";
import { parseOptions } from "./options.js";
import { renderProfileMarkdown, summarizeProfile } from "./profile-summary.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};

async function startTarget(ctx, spec, i, prof) {
  const name = `t${i}-${spec.replace(/[^a-z0-9]+/gi, "_").slice(-40)}`;
  const profDir = join(ctx.runDir, `${name}-prof`);
  const nodeArgs = prof ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [];
  if (spec.split("^")[0] === "runestone" || spec.startsWith("rs=")) {
    // rs=<main.js>^warn^nometrics^--node-option: log level warn, metrics off (to price them), node options
    const [mainSpec, ...flags] = spec.split("^");
    const gw = await startRunestone(ctx, {
      name,
      main: mainSpec === "runestone" ? undefined : mainSpec.slice(3),
      logLevel: flags.includes("warn") ? "warn" : arg("log-level", "info"),
      nodeArgs: [...flags.filter((f) => f.startsWith("--")), ...nodeArgs],
      configExtra: flags.includes("nometrics") ? "metrics: { enabled: false }\n" : "",
    });
    return { spec, name, proc: gw.proc, t: runestoneTarget(gw, "plain", name, spec), profDir };
  }
  // express-floor^--born: the floor's own flags after ^ (e.g. the card floor with one change, floors/express-floor.js)
  const [floorSpec, ...flags] = spec.split("^");
  const floorNodeArgs = process.env.FLOOR_NODE_ARGS?.trim() ? process.env.FLOOR_NODE_ARGS.trim().split(/\s+/) : [];
  const floor = await startFloor(ctx, floorSpec.replace(/^floor=/, ""), { flags, nodeArgs: [...floorNodeArgs, ...nodeArgs], name });
  return { spec, name, proc: floor.proc, t: floorTarget(ctx, floor, "plain", name, spec), profDir };
}

function load(t, connections, duration) {
  const body = requestBody(t, false);
  const headers = requestHeaders(t, body);
  delete headers["content-length"];
  return autocannon({ url: `${t.origin}/v1/chat/completions`, method: "POST", headers, body, connections, duration });
}

async function main() {
  const specs = arg("targets", "express-floor,runestone").split(",");
  const duration = Number(arg("duration", 4));
  const reps = Number(arg("reps", 3));
  const connections = Number(arg("connections", 64));
  const prof = process.argv.includes("--prof");
  const out = arg("out", join(tmpdir(), "cpu-probe"));
  mkdirSync(out, { recursive: true });
  const opts = parseOptions([]);
  const ctx = probeContext("cpu-probe", opts);
  const load0 = (await import("node:os")).loadavg()[0];
  try {
    ctx.mock = await startMock(ctx);
    const targets = [];
    for (const [i, s] of specs.entries()) targets.push(await startTarget(ctx, s, i, prof));
    for (const x of targets) await load(x.t, connections, 2); // warm-up
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const res = new Map(targets.map((x) => [x.name, []]));
    for (let r = 0; r < reps; r++) {
      for (const x of targets) {
        const c0 = cpuSeconds(x.proc.pid);
        const a = await load(x.t, connections, duration);
        const c1 = cpuSeconds(x.proc.pid);
        const n = a["2xx"];
        res.get(x.name).push({ us: ((c1 - c0) * 1e6) / n, rps: n / a.duration, n, errors: a.errors + a.non2xx + a.timeouts });
      }
    }
    const load1 = (await import("node:os")).loadavg()[0];
    console.log(`load ${load0.toFixed(1)} -> ${load1.toFixed(1)}; ${reps} x ${duration}s, ${connections} conns`);
    console.log("| target | CPU µs/req (median; all) | req/s (median) | errors |\n| --- | --- | --- | --- |");
    const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    for (const x of targets) {
      const l = res.get(x.name);
      console.log(`| ${x.spec} | ${med(l.map((v) => v.us)).toFixed(0)} (${l.map((v) => v.us.toFixed(0)).join(", ")}) | ${med(l.map((v) => v.rps)).toFixed(0)} | ${l.reduce((a, v) => a + v.errors, 0)} |`);
    }
    if (prof) {
      for (const x of targets) await x.proc.stop();
      for (const x of targets) {
        const f = readdirSync(x.profDir).find((f) => f.endsWith(".cpuprofile"));
        const dest = join(out, `${basename(x.name)}.cpuprofile`);
        const raw = readFileSync(join(x.profDir, f), "utf8");
        writeFileSync(dest, raw);
        const md = renderProfileMarkdown(summarizeProfile(JSON.parse(raw), 40, fromUs), x.spec);
        writeFileSync(dest.replace(/\.cpuprofile$/, ".md"), md);
        console.log(`profile: ${dest} (${res.get(x.name).reduce((a, v) => a + v.n, 0)} requests measured)`);
      }
    }
  } finally {
    await stopAll();
  }
}

runCli(main);
