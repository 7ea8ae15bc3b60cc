// Child processes of a run (mock upstream, gateways, Portkey, redis-server): start pinned to cores,
// wait until they answer, read their memory from /proc, and stop them by pid.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const running = new Set();

/**
 * Starts `command args` (under taskset when `cpus` is set: taskset execs, so the pid is the
 * program's own). stdout and stderr go to files in the run's log directory, as a production log
 * would, without the load generator spending its core reading a pipe; they are kept for
 * diagnostics when something fails.
 */
export function startProcess({ name, command, args, env = {}, cpus, logDir, captureStdout = false }) {
  const errPath = join(logDir, `${name}.stderr.log`);
  const outPath = join(logDir, `${name}.stdout.log`);
  const errFd = openSync(errPath, "w");
  const outFd = captureStdout ? "pipe" : openSync(outPath, "w");
  const [cmd, argv] = cpus ? ["taskset", ["-c", cpus, command, ...args]] : [command, args];
  const childEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const child = spawn(cmd, argv, { env: childEnv, stdio: ["ignore", outFd, errFd] });
  closeSync(errFd);
  if (typeof outFd === "number") closeSync(outFd);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const proc = {
    name,
    child,
    pid: child.pid,
    exited,
    errPath,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    /** The last lines of stderr, and of stdout's (JSON log) lines at warn or above. */
    stderrTail(lines = 15) {
      const tail = (path, keep) => {
        try {
          const text = readFileSync(path, "utf8");
          return text.slice(-16_384).split("\n").filter((l) => l && keep(l)).slice(-lines);
        } catch {
          return [];
        }
      };
      return [...tail(outPath, (l) => /"level":(4|5|6)0/.test(l)), ...tail(errPath, () => true)].join("\n");
    },
    async stop(graceMs = 8_000) {
      running.delete(proc);
      if (!proc.alive) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => proc.alive && child.kill("SIGKILL"), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
  running.add(proc);
  child.once("error", () => running.delete(proc));
  return proc;
}

/** Stops whatever is still running (used on errors and signals). */
export async function stopAll() {
  await Promise.all([...running].map((p) => p.stop(3_000)));
}

/**
 * Runs a bench command's `main`: exits with the code it resolves to (0 for none); on a failure reports it,
 * stops every process the command started and exits 1.
 */
export function runCli(main, report = (err) => console.error(err?.stack ?? err)) {
  main().then(
    (code) => process.exit(typeof code === "number" ? code : 0),
    async (err) => {
      report(err);
      await stopAll();
      process.exit(1);
    },
  );
}

/** Resolves once GET url answers (any status below 500), rejects if the process exits or time runs out. */
export async function waitForHttp(proc, url, timeoutMs = 20_000, pollMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.alive) throw new Error(`${proc.name} exited before it was ready:\n${proc.stderrTail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(pollMs);
  }
  throw new Error(`${proc.name} did not answer ${url} within ${timeoutMs} ms:\n${proc.stderrTail()}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** VmRSS and VmHWM (peak RSS) of one process, in MB; undefined once it is gone. */
export function memoryOf(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { rss_mb: round1(kb("VmRSS") / 1024), hwm_mb: round1(kb("VmHWM") / 1024) };
}

/** The pid and every descendant's pid (worker processes of a gateway). */
export function processTree(rootPid) {
  const tree = [rootPid];
  try {
    for (let i = 0; i < tree.length; i++) {
      for (const tid of readdirSync(`/proc/${tree[i]}/task`)) {
        const kids = readFileSync(`/proc/${tree[i]}/task/${tid}/children`, "utf8").trim();
        if (kids) tree.push(...kids.split(/\s+/).map(Number));
      }
    }
    return tree;
  } catch (err) {
    if (err.code !== "ENOENT" || tree.length > 1) return tree;
  }
  return scanTree(rootPid);
}

/** Kernels without /proc/<pid>/task/<tid>/children: walk every process's parent pid. */
function scanTree(rootPid) {
  const parentOf = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // comm may contain spaces and parens: the fields after the last ")" are fixed
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** Summed RSS of a process tree, in MB. */
export function treeRss(rootPid) {
  return round1(processTree(rootPid).reduce((sum, pid) => sum + (memoryOf(pid)?.rss_mb ?? 0), 0));
}

/** Samples a process tree's RSS every `everyMs` until stopped; returns the peak seen. */
export function rssSampler(rootPid, everyMs = 100) {
  let peak = 0;
  const take = () => {
    peak = Math.max(peak, treeRss(rootPid));
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

export const round1 = (x) => Math.round(x * 10) / 10;

let ticksPerSecond;
/** User + system CPU seconds used so far by a process tree (from /proc/<pid>/stat). */
export function cpuSeconds(rootPid) {
  if (ticksPerSecond === undefined) {
    const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    ticksPerSecond = Number(r.stdout?.trim()) || 100;
  }
  let ticks = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[0] is state (field 3); utime and stime are fields 14 and 15
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / ticksPerSecond;
}

/**
 * Nanoseconds on CPU so far for every thread of one process (the first field of /proc/<pid>/task/<tid>/schedstat):
 * fine enough to price a single request, where cpuSeconds' clock ticks (10 ms) are not. NaN if it is gone.
 */
export function cpuNanos(pid) {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // a thread that ended meanwhile
      }
    }
  } catch {
    return Number.NaN;
  }
  return ns;
}

/** Connections the kernel dropped at a full listen queue so far, machine-wide (TcpExt ListenOverflows). */
export function listenOverflows() {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n").filter((l) => l.startsWith("TcpExt:"));
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/);
    return Number(values[names.indexOf("ListenOverflows")]);
  } catch {
    return undefined;
  }
}
