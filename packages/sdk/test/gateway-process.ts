import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const mainJs = join(root, "apps/gateway/dist/main.js");
const defaultConfig = join(root, "apps/gateway/config/default.yaml");
const mockCli = join(root, "packages/mock-upstream/dist/cli.js");

export interface RunningProcess {
  url: string;
  /** What the process printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}
export type GatewayProcess = RunningProcess;

export interface GatewayOptions {
  /** A config file's text (YAML); the embedded defaults when absent. */
  config?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function track(child: ChildProcess) {
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

async function waitFor(check: () => Promise<boolean>, child: ChildProcess, what: string, out: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${out()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${out()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts the built gateway (`node apps/gateway/dist/main.js`) on a free port, in its own state directory (so that
 * gateways started by parallel tests never share a SQLite file), and waits (bounded) for /health/ready.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<GatewayProcess> {
  if (!existsSync(mainJs)) {
    throw new Error(`${mainJs} is missing: build it with \`pnpm turbo run build --filter=@runestone/gateway...\``);
  }
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "runestone-sdk-gw-"));
  let config = defaultConfig;
  if (options.config !== undefined) {
    config = join(state, "runestone.yaml");
    writeFileSync(config, options.config);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    RUNESTONE_CONFIG: config,
    RUNESTONE_DATA_FILE: join(state, "runestone.db"),
    ...options.env,
  };
  const child = spawn(process.execPath, [mainJs], { cwd: state, env, stdio: ["ignore", "pipe", "pipe"] });
  const proc = track(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) })).ok,
      child,
      "the gateway",
      proc.output,
      options.timeoutMs ?? 20_000,
    );
  } catch (error) {
    rmSync(state, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    output: proc.output,
    async stop() {
      await proc.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** Starts the mock upstream's CLI (`packages/mock-upstream/dist/cli.js`) on a free port. */
export async function startMockUpstream(timeoutMs = 10_000): Promise<RunningProcess> {
  if (!existsSync(mockCli)) throw new Error(`${mockCli} is missing: build @runestone/mock-upstream`);
  const port = await freePort();
  const child = spawn(process.execPath, [mockCli, "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  const proc = track(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => proc.output().includes("listening"), child, "the mock upstream", proc.output, timeoutMs);
  return { url, ...proc };
}
