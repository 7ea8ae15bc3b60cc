// `npm start` stops cleanly whichever process gets the signal: SIGTERM to the npm PID (what a
// supervisor sends; it used to leave the gateway running orphaned on the port), SIGINT to it (it
// used to do nothing), and SIGINT to the whole process group (Ctrl-C; the gateway used to get it
// twice and die without draining). Each time the in-flight request completes, the port is freed and
// no process is left. Real processes: npm -> scripts/run.mjs -> dist/main.js (prebuilt:
// RUNESTONE_SKIP_BUILD=1 skips the install and build).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { postJson, testConfigYaml } from "./harness";
import { freePort } from "./redis-server";
import { spawnGateway } from "./spawn-gateway";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
let upstream: MockUpstream;
let configPath: string;
const started: ChildProcess[] = [];

beforeAll(async () => {
  upstream = await startMockUpstream();
  configPath = join(mkdtempSync(join(tmpdir(), "runestone-npm-start-")), "runestone.yaml");
  writeFileSync(configPath, testConfigYaml(upstream.url).replace(/^server:.*$/m, "server: { host: 127.0.0.1, port: 4001, shutdown_grace_ms: 10000 }"));
});
// A failed case must not leave its gateway holding the config's state file for the next case.
afterEach(async () => {
  const left = started.filter((c) => c.exitCode === null && c.signalCode === null);
  // The gateway runs in a process group of its own (scripts/run.mjs): find it before its parent goes.
  const pids = left.flatMap((c) => [c.pid!, ...descendants(c.pid!)]);
  for (const c of left) killGroup(c.pid!, "SIGKILL");
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  await until("the processes of a failed case to exit", () => pids.every((p) => !alive(p)), 10_000);
});
afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) (killGroup(c.pid!, "SIGKILL"), c.kill("SIGKILL"));
  await upstream.close();
});

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

/** Every live descendant of `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) if (parent === p) (out.push(child), walk(child));
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const state = readFileSync(`/proc/${pid}/stat`, "utf8");
    return state.slice(state.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

async function until(what: string, check: () => boolean | Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function npmStart(): Promise<{ npm: ChildProcess; url: string; port: number; output: () => string; gatewayPids: number[] }> {
  const port = await freePort();
  const npm = spawn("npm", ["start", "--silent"], {
    cwd: repoRoot,
    detached: true, // its own process group, as a terminal's foreground job is
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUNESTONE_SKIP_BUILD: "1", RUNESTONE_CONFIG: configPath, PORT: String(port) },
  });
  started.push(npm);
  let out = "";
  npm.stdout!.on("data", (b) => (out += b));
  npm.stderr!.on("data", (b) => (out += b));
  const url = `http://127.0.0.1:${port}`;
  await until("the gateway to be ready", async () => {
    if (npm.exitCode !== null) throw new Error(`npm start exited early: ${out.slice(-2000)}`);
    return fetch(`${url}/health/ready`).then((r) => r.ok, () => false);
  }, 60_000);
  return { npm, url, port, output: () => out, gatewayPids: descendants(npm.pid!) };
}

const cases: { name: string; send: (npmPid: number) => void }[] = [
  { name: "SIGTERM to the npm process", send: (pid) => process.kill(pid, "SIGTERM") },
  { name: "SIGINT to the npm process", send: (pid) => process.kill(pid, "SIGINT") },
  { name: "SIGINT to the whole process group (Ctrl-C)", send: (pid) => killGroup(pid, "SIGINT") },
];

describe("npm start and signals", () => {
  for (const c of cases) {
    it(`${c.name}: the in-flight request completes, the gateway drains once and exits, the port is freed, no process is left`, async () => {
      const { npm, url, port, output, gatewayPids } = await npmStart();
      expect(gatewayPids.length).toBeGreaterThanOrEqual(2); // run.mjs and the gateway (and sh when npm keeps one)
      // The log is written asynchronously, so its startup lines may reach the pipe after /health/ready answers.
      await until("the startup log lines", () => /providers: /.test(output()), 10_000);
      expect(output()).toMatch(/docs: http:\/\/127\.0\.0\.1:\d+\/docs/);
      expect(output()).toMatch(/providers: mock: built in, no key needed;.* nokey: not configured \(set providers\.nokey\.api_key\)/);
      const prompts = upstream.requests.length;
      upstream.behave({ latencyMs: 1_500 }, { times: 1 });
      const inFlight = postJson(`${url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "in flight" }] });
      await until("the request to reach the upstream", () => upstream.requests.length > prompts, 10_000);

      c.send(npm.pid!);

      const answer = await inFlight;
      expect(answer.status).toBe(200);
      await until("every process of npm start to exit", () => !alive(npm.pid!) && gatewayPids.every((p) => !alive(p)), 20_000);
      expect(await portOpen(port)).toBe(false);
      const log = output();
      expect(log.match(/shutting down: draining/g)).toHaveLength(1);
      expect(log).toMatch(/shutdown complete/);
    }, 90_000);
  }

  it("a second signal during the drain is logged and ignored: the in-flight request still completes", async () => {
    const gw = await spawnGateway({ RUNESTONE_CONFIG: configPath });
    started.push(gw.child);
    const prompts = upstream.requests.length;
    upstream.behave({ latencyMs: 1_500 }, { times: 1 });
    const inFlight = postJson(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "in flight" }] });
    await until("the request to reach the upstream", () => upstream.requests.length > prompts, 10_000);
    const exited = new Promise<number | null>((resolve) => gw.child.once("exit", (code) => resolve(code)));
    gw.child.kill("SIGTERM");
    await until("the drain to start", () => /shutting down: draining/.test(gw.output()), 10_000);
    gw.child.kill("SIGINT");
    expect((await inFlight).status).toBe(200);
    expect(await exited).toBe(0);
    expect(gw.output()).toMatch(/SIGINT ignored: already draining after SIGTERM/);
  }, 60_000);
});
