// Starts a real redis-server on a free loopback port for a test file, and stops it after.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisServer {
  url: string;
  port: number;
  /** Freezes the server (SIGSTOP): connections stay open, commands wait for an answer. */
  pause(): void;
  /** Lets a paused server answer again (SIGCONT). */
  resume(): void;
  stop(): Promise<void>;
  /** Kills the server (SIGKILL) without cleaning up, so a server started on the same port and dir finds its data. */
  crash(): Promise<void>;
}

export interface RedisOptions {
  /** A port to listen on (a restart on the same port); default a free one. */
  port?: number;
  /** The data directory, owned by the caller (kept on stop); default a temporary one removed on stop. */
  dir?: string;
  /** Persist every write before answering it (appendonly, appendfsync always): what a production queue needs. */
  persist?: boolean;
}

/**
 * A loopback port that was free a moment ago, for a process the test starts next (a gateway, redis-server).
 * Picked below the kernel's ephemeral range when there is room: a port from that range (what listen(0)
 * gives) can be taken by any outgoing connection of the parallel tests before the process binds it (a
 * gateway then fails with EADDRINUSE), one below it only by another pick like this one.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  if (low !== undefined && low > 11_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
      if (handedOut.has(port)) continue;
      if (await canListen(port)) {
        handedOut.add(port);
        return port;
      }
    }
  }
  return listenAndRelease(0);
}

/** Ports this test process handed out already: never twice. */
const handedOut = new Set<number>();

function ephemeralLow(): number | undefined {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : undefined;
  } catch {
    return undefined;
  }
}

function canListen(port: number): Promise<boolean> {
  return listenAndRelease(port).then(
    () => true,
    () => false,
  );
}

function listenAndRelease(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => {
      const bound = (s.address() as { port: number }).port;
      s.close(() => resolve(bound));
    });
  });
}

export async function startRedis(opts: RedisOptions = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "runestone-redis-"));
  const persistence = opts.persist ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", dir, "--protected-mode", "yes"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("redis-server did not start within 5 s")), 5_000);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start redis-server: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "it is not on PATH" : e.message}. Run npm test, which installs it (as root), or: apt-get install -y redis-server`));
    });
    child.stdout!.on("data", (b: Buffer) => {
      if (b.toString().includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pause: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    async stop() {
      child.kill("SIGCONT");
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
    async crash() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    },
  };
}
