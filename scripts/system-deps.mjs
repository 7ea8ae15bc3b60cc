// The programs the tests need besides Node: redis-server (the Redis-mode suites) and a chromium
// (the docs page test). `npm test` installs the missing ones with apt-get when it runs as root, as
// CI machines do; otherwise it stops before doing anything and names the command to run.
// Only node: modules here, because nothing is installed yet when it runs.
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { tmpdir } from "node:os";

/** Where apt puts programs, searched too: a PATH may leave them out (and then the tests get them added). */
const SYSTEM_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
export const CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome"];

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first of `names` found in `dirs`, as a full path. */
export function findProgram(names, dirs) {
  for (const dir of dirs) for (const name of names) if (dir && isExecutable(join(dir, name))) return join(dir, name);
  return undefined;
}

const pathDirs = (env) => (env.PATH ?? "").split(delimiter).filter(Boolean);

function locate(env) {
  const chromium = env.CHROMIUM_PATH && isExecutable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : findProgram(CHROMIUM_NAMES, pathDirs(env));
  return { redis: findProgram(["redis-server"], pathDirs(env)), chromium };
}

/**
 * Makes sure redis-server and a chromium can be found; may install them (root + apt-get) and
 * extends `env` (PATH, CHROMIUM_PATH) when they sit outside its PATH. Returns false, having said
 * why and what to run, when they are missing and cannot be installed here.
 */
export function ensureSystemDeps(env) {
  let found = locate(env);
  const missing = [...(found.redis ? [] : ["redis-server"]), ...(found.chromium ? [] : ["chromium"])];
  if (missing.length === 0) return true;
  const canApt = process.getuid?.() === 0 && findProgram(["apt-get"], [...pathDirs(env), ...SYSTEM_DIRS]);
  if (!canApt) {
    const sudo = process.getuid?.() === 0 ? "" : "sudo ";
    console.error(
      `runestone: the tests need ${missing.join(" and ")}, which ${missing.length > 1 ? "are" : "is"} not installed; install ${missing.length > 1 ? "them" : "it"} and run npm test again:\n` +
        `  ${sudo}apt-get update && ${sudo}apt-get install -y ${missing.join(" ")}` +
        (found.chromium ? "" : "\n(or point CHROMIUM_PATH at a Chromium or Chrome binary)"),
    );
    return false;
  }
  const log = join(tmpdir(), "runestone-apt.log");
  console.error(`runestone: installing ${missing.join(" and ")} for the tests (apt-get update && apt-get install -y ${missing.join(" ")}; log in ${log})`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: "noninteractive", PATH: [...pathDirs(env), ...SYSTEM_DIRS].join(delimiter) };
  let output = "";
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", ...missing]]) {
    const r = spawnSync("apt-get", args, { env: aptEnv, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    output += `$ apt-get ${args.join(" ")}\n${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}\n`;
    writeFileSync(log, output);
    if (r.status !== 0) {
      console.error(`runestone: apt-get ${args[0]} failed (exit ${r.status ?? r.error?.message}); its last lines:\n${tail(log)}\nInstall ${missing.join(" and ")} yourself and run npm test again.`);
      return false;
    }
  }
  // apt puts them in /usr/bin (or /usr/sbin): add that to a PATH that left it out.
  found = withSystemDirs(env, locate(env));
  if (!found.redis || !found.chromium) {
    console.error(`runestone: apt-get installed ${missing.join(" ")}, yet ${found.redis ? "chromium" : "redis-server"} is still not found; see ${log}`);
    return false;
  }
  return true;
}

/** Adds the system directory holding a program that PATH misses, and CHROMIUM_PATH, to `env`. */
function withSystemDirs(env, found) {
  const redis = found.redis ?? findProgram(["redis-server"], SYSTEM_DIRS);
  const chromium = found.chromium ?? findProgram(CHROMIUM_NAMES, SYSTEM_DIRS);
  if (redis && !found.redis) env.PATH = [...pathDirs(env), redis.slice(0, redis.lastIndexOf("/"))].join(delimiter);
  if (chromium && !found.chromium) env.CHROMIUM_PATH = chromium;
  return { redis, chromium };
}

function tail(path) {
  return readFileSync(path, "utf8").trimEnd().split("\n").slice(-15).join("\n");
}
