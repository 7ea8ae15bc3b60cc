// The built gateway (dist/main.js) as a real child process, for the scenarios that need a process of
// its own: kill -9, crash detection, and memory (its RSS is the gateway's alone, not the test
// runner's). Its log lines (stdout) are kept so tests can scan them for keys and prompts.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export interface ProcessGateway {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Milliseconds from spawn to the first 200 of /health/ready. */
  readyMs: number;
  logs(): string;
  stderr(): string;
  /** Resident set size in MiB, from /proc. */
  rssMb(): number;
  alive(): boolean;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export function writeConfig(yaml: string, dir = mkdtempSync(join(tmpdir(), "runestone-rel-"))): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

export async function spawnGateway(configPath: string, port: number, env: Record<string, string> = {}): Promise<ProcessGateway> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the gateway first (pnpm --filter @runestone/gateway build)`);
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, RUNESTONE_CONFIG: configPath, LOG_LEVEL: "info", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${err}`);
    if (await fetch(`${url}/health/ready`).then((r) => r.ok, () => false)) break;
    if (Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`gateway not ready within 60 s: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const readyMs = performance.now() - t0;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    pid: child.pid!,
    child,
    readyMs,
    logs: () => out,
    stderr: () => err,
    rssMb: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      return m ? Number(m[1]) / 1024 : NaN;
    },
    alive,
    async kill9() {
      if (alive()) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (alive()) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Samples a value every `everyMs` until stopped; answers the samples. */
export function sampler(read: () => number, everyMs: number): { stop(): number[] } {
  const samples: number[] = [read()];
  const timer = setInterval(() => samples.push(read()), everyMs);
  return {
    stop() {
      clearInterval(timer);
      samples.push(read());
      return samples;
    },
  };
}
