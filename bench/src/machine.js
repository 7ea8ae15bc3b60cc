// Machine facts for the report, and the CPU layout: which cores the load generator, the mock
// upstream and the gateway under test run on (taskset), so they do not steal each other's time.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

export function machineFacts() {
  const cpus = os.cpus();
  return {
    cpu_model: cpus[0]?.model?.trim() ?? "unknown",
    cores: os.cpus().length,
    memory_gb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    load_average_at_start: os.loadavg().map((l) => Math.round(l * 100) / 100),
    git_commit: gitCommit(),
    gateway_version: packageVersion("../../apps/gateway/package.json"),
    portkey_version: packageVersion("../node_modules/@portkey-ai/gateway/package.json"),
  };
}

function gitCommit() {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: new URL("..", import.meta.url), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

function packageVersion(rel) {
  try {
    return JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")).version;
  } catch {
    return undefined;
  }
}

/**
 * Cores as taskset lists. With 2 cores the gateway under test (Runestone or Portkey) gets core 1 to
 * itself and the load generator shares core 0 with the mock upstream (and redis-server): every
 * target sees the same client and upstream, so differences are the proxy's own cost. With 3+ cores
 * each gets its own. `all` is for the multi-worker stage, where the gateway may use every core.
 */
export function cpuLayout(wantPin) {
  const n = os.cpus().length;
  const all = `0-${n - 1}`;
  const none = { pinned: false, loadgen: undefined, mock: undefined, gateway: undefined, all: undefined, description: "" };
  if (!wantPin) return { ...none, description: "not pinned (--no-pin)" };
  if (n < 2) return { ...none, description: "not pinned: one core" };
  if (spawnSync("taskset", ["-c", "1", "true"]).status !== 0) return { ...none, description: "not pinned: taskset unavailable or not permitted" };
  if (n === 2) {
    return {
      pinned: true,
      loadgen: "0",
      mock: "0",
      gateway: "1",
      all,
      description: "core 0: load generator + mock upstream + redis-server; core 1: the gateway under test (Runestone or Portkey); workers stage: gateway on cores 0-1",
    };
  }
  return {
    pinned: true,
    loadgen: "0",
    mock: "1",
    gateway: "2",
    all: n >= 4 ? "2-3" : all,
    description: `core 0: load generator; core 1: mock upstream + redis-server; core 2: the gateway under test; workers stage: gateway on cores ${n >= 4 ? "2-3" : all}`,
  };
}

/** Pins this process (every thread) to the load generator's cores. */
export function pinSelf(cores) {
  if (!cores) return;
  spawnSync("taskset", ["-a", "-p", "-c", cores, String(process.pid)], { stdio: "ignore" });
}

/**
 * A probe's run (cpu-probe, hop-probe, cold-start): this process pinned where the bench pins its load generator, a
 * fresh work directory with its logs/, and the context services.js takes.
 */
export function probeContext(prefix, opts) {
  const layout = cpuLayout(true);
  pinSelf(layout.loadgen);
  const runDir = mkdtempSync(join(os.tmpdir(), `${prefix}-`));
  const logDir = join(runDir, "logs");
  mkdirSync(logDir);
  return { opts, layout, machine: machineFacts(), runDir, logDir };
}
