#!/usr/bin/env node
// `npm start` and `npm test` on a fresh machine with only Node 20 and npm: bootstraps pnpm
// 12.4.2, installs the workspace, builds, then starts the gateway or runs the tests (`npm test`
// first makes sure redis-server and chromium are there, see system-deps.mjs).
// RUNESTONE_SKIP_BUILD=1 skips the install and build and uses what is already built.
// Only node: modules here, because nothing is installed yet when it runs.
import { spawnSync, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureSystemDeps } from "./system-deps.mjs";

const PNPM_VERSION = "12.4.2";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [command, ...rest] = process.argv.slice(2);

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
// better-sqlite3 compiles with node-gyp when no prebuilt binary can be downloaded; point it at
// the local Node headers instead of letting it try to download them.
if (!env.npm_config_nodedir && existsSync("/usr/include/node/node.h")) env.npm_config_nodedir = "/usr";

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function pnpmCommand() {
  const v = spawnSync("pnpm", ["--version"], { env, encoding: "utf8" });
  if (v.status === 0 && v.stdout.trim() === PNPM_VERSION) return ["pnpm", []];
  console.error(`runestone: installing pnpm@${PNPM_VERSION} (npm install -g)`);
  if (run("npm", ["install", "-g", `pnpm@${PNPM_VERSION}`], { stdio: ["ignore", "ignore", "inherit"] }) === 0) return ["pnpm", []];
  console.error(`runestone: global install failed; using npx pnpm@${PNPM_VERSION}`);
  return ["npx", ["--yes", `pnpm@${PNPM_VERSION}`]];
}

/**
 * Runs the gateway in its own process group, so that a Ctrl-C (SIGINT to the terminal's whole
 * group) reaches it once, through this process, instead of twice (from the group and forwarded).
 * The first SIGINT/SIGTERM/SIGHUP here is forwarded; this process then waits for the gateway's
 * drain and exits with its code. When our parent goes away (SIGTERM to `npm`, which may not pass
 * it on), the gateway is told to drain too; if this process is killed outright, the gateway sees
 * its IPC channel close and drains (main.ts).
 */
function startGateway() {
  const child = spawn(process.execPath, [join(root, "apps/gateway/dist/main.js"), ...rest], { cwd: root, stdio: ["ignore", "inherit", "inherit", "ipc"], env, detached: true });
  let forwarded;
  const forward = (signal, why = signal) => {
    if (forwarded) return;
    forwarded = signal;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    if (why !== signal) console.error(`runestone: ${why}; stopping the gateway (${signal})`);
  };
  process.on("SIGINT", () => forward("SIGINT"));
  process.on("SIGTERM", () => forward("SIGTERM"));
  process.on("SIGHUP", () => forward("SIGTERM", "the terminal closed"));
  const parent = process.ppid;
  setInterval(() => parentGone(parent) && forward("SIGTERM", "the process that started npm start went away"), 250).unref();
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
}

/** Whether this process has been re-parented (its parent died); Linux /proc, else a signal-0 probe. */
function parentGone(ppid) {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== ppid;
  } catch {
    try {
      process.kill(ppid, 0);
      return false;
    } catch {
      return true;
    }
  }
}

/**
 * A whole run (no file filter) starts the reliability table afresh, so that a file that cannot even
 * load leaves no section from an earlier run behind (pnpm reliability:snapshot then sees it missing).
 */
function clearReliabilityRun() {
  if (rest.length === 0) rmSync(join(root, "apps/gateway/test/reliability/results/latest"), { recursive: true, force: true });
}

function main() {
  if (command !== "start" && command !== "test") {
    console.error("usage: node scripts/run.mjs start|test");
    return 2;
  }
  // Before anything else, so a machine that cannot run the tests is told at once, not after a build.
  if (command === "test" && !ensureSystemDeps(env)) return 1;
  if (env.RUNESTONE_SKIP_BUILD === "1") {
    if (command === "start") return startGateway();
    clearReliabilityRun();
    return run(join(root, "node_modules/.bin/vitest"), ["run", ...rest]);
  }
  const [pnpm, pre] = pnpmCommand();
  const p = (...args) => run(pnpm, [...pre, ...args]);
  if (p("install", "--frozen-lockfile") !== 0) return 1;
  const build = command === "start" ? ["build", "--filter=@runestone/gateway...", "--filter=@runestone/docs"] : ["build", "lint", "typecheck"];
  if (p("exec", "turbo", "run", ...build, "--output-logs=errors-only") !== 0) return 1;
  if (command === "start") return startGateway();
  clearReliabilityRun();
  return p("exec", "vitest", "run", ...rest);
}

const code = main();
if (code !== undefined) process.exit(code);
