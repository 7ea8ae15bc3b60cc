import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const mainJs = join(root, "apps/gateway/dist/main.js");

export interface GatewayProcess {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * Starts the built gateway (`node apps/gateway/dist/main.js`) on its embedded defaults, a free port and its own
 * state directory, and waits (bounded) until /health/ready answers.
 */
export async function startGateway(env: Record<string, string> = {}, timeoutMs = 20_000): Promise<GatewayProcess> {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`pnpm build\` first`);
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "runestone-docs-gw-"));
  const child = spawn(process.execPath, [mainJs], {
    cwd: state,
    env: { ...process.env, PORT: String(port), RUNESTONE_DATA_FILE: join(state, "runestone.db"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) })).ok) break;
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
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(state, { recursive: true, force: true });
    },
  };
}
