#!/usr/bin/env node
// `npm start` and `npm test` on a fresh machine with only Node 20 and npm: bootstraps pnpm
// 12.4.2, installs the workspace, builds, then starts the gateway or runs the tests.
// Only node: modules here, because nothing is installed yet when it runs.
import { spawnSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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

function main() {
  const [pnpm, pre] = pnpmCommand();
  const p = (...args) => run(pnpm, [...pre, ...args]);
  if (p("install", "--frozen-lockfile") !== 0) return 1;
  switch (command) {
    case "start": {
      if (p("exec", "turbo", "run", "build", "--filter=@runestone/gateway...", "--filter=@runestone/docs", "--output-logs=errors-only") !== 0) return 1;
      const child = spawn(process.execPath, [join(root, "apps/gateway/dist/main.js"), ...rest], { cwd: root, stdio: "inherit", env });
      for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
      child.on("exit", (code) => process.exit(code ?? 0));
      return undefined;
    }
    case "test": {
      if (p("exec", "turbo", "run", "build", "lint", "typecheck", "--output-logs=errors-only") !== 0) return 1;
      return p("exec", "vitest", "run", ...rest);
    }
    default:
      console.error("usage: node scripts/run.mjs start|test");
      return 2;
  }
}

const code = main();
if (code !== undefined) process.exit(code);
