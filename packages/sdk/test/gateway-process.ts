import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const gatewayDir = fileURLToPath(new URL("../../../apps/gateway/", import.meta.url));
const mainJs = `${gatewayDir}dist/main.js`;
const defaultConfig = `${gatewayDir}config/default.yaml`;

export interface GatewayProcess {
  url: string;
  /** What the process printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
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

/** Starts the built gateway on its embedded defaults and a free port, and waits (bounded) for /health/ready. */
export async function startGateway(timeoutMs = 15_000): Promise<GatewayProcess> {
  if (!existsSync(mainJs)) {
    throw new Error(`${mainJs} is missing: build it with \`pnpm turbo run build --filter=@runestone/gateway...\``);
  }
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  // The embedded default config, named explicitly so the test does not depend on how the bundle locates it.
  if (existsSync(defaultConfig) && !env.RUNESTONE_CONFIG) env.RUNESTONE_CONFIG = defaultConfig;
  const child: ChildProcess = spawn(process.execPath, [mainJs], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the gateway was not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
