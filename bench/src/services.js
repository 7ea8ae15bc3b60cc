// The processes under test and around it: the mock upstream, Runestone (the built gateway, in
// production mode, from a config this kit writes), the Portkey AI Gateway, and redis-server.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, sleep, startProcess, waitForHttp } from "./processes.js";

const require = createRequire(import.meta.url);
export const UPSTREAM_KEY = "sk-bench-upstream-0000";
export const TENANT_KEY = "sk-bench-tenant-0000000000";

const GATEWAY_MAIN = fileURLToPath(new URL("../../apps/gateway/dist/main.js", import.meta.url));
const MOCK_CLI = fileURLToPath(new URL("../../packages/mock-upstream/dist/cli.js", import.meta.url));
const RELAY = fileURLToPath(new URL("./floors/tcp-relay.js", import.meta.url));
const FLOORS = {
  "node-floor": fileURLToPath(new URL("./floors/node-floor.js", import.meta.url)),
  "express-floor": fileURLToPath(new URL("./floors/express-floor.js", import.meta.url)),
};

function portkeyServer() {
  return join(require.resolve("@portkey-ai/gateway/package.json").replace(/package\.json$/, ""), "build/start-server.js");
}

export function checkBuilt() {
  const missing = [GATEWAY_MAIN, MOCK_CLI].filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(`not built: ${missing.join(", ")}\nbuild first: pnpm turbo run build --filter=@runestone/bench... (pnpm bench does this)`);
  }
}

export async function startMock(ctx) {
  const port = await freePort();
  const proc = startProcess({ name: "mock-upstream", command: process.execPath, args: [MOCK_CLI, "--port", String(port), "--host", "127.0.0.1", "--no-record"], cpus: ctx.layout.mock, logDir: ctx.logDir, env: { NODE_ENV: "production" } });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(proc, `${url}/v1/models`);
  return { proc, url, port };
}

/** Model ids the bench config serves, each mapped to a mock directive so the gateway sends it upstream. */
export function benchModels(opts) {
  return {
    "gpt-4o-mini": "gpt-4o-mini",
    "bench-stream": `gpt-4o-mini::chunks=${opts.streamChunks},chunkDelayMs=${opts.chunkDelayMs}`,
    "bench-slow-stream": `gpt-4o-mini::chunks=${opts.slowChunks},chunkDelayMs=${opts.slowDelayMs}`,
  };
}

/**
 * A config with one upstream (the mock), one tenant, and limits far above what the benchmark sends.
 * `limits: true` sets every tenant limit (concurrency, requests and tokens per minute), so admission
 * does real work without refusing anything. The upstream pool allows 2048 sockets so a thousand
 * concurrent streams are not queued behind the default pool size.
 */
export function gatewayConfigYaml({ port, upstreamUrl, opts, logLevel, limits, sqlitePath }) {
  const models = Object.entries(benchModels(opts))
    .map(([id, upstream]) => `  ${id}:\n    deployments: [{ provider: upstream, model: "${upstream}" }]`)
    .join("\n");
  const tenantLimits = limits
    ? "    limits: { max_concurrent: 100000, requests_per_minute: 1000000000, tokens_per_minute: 1000000000000 }\n"
    : "";
  return `# Written by the benchmark kit (bench/src/services.js).
server: { host: 127.0.0.1, port: ${port}, shutdown_grace_ms: 2000 }
logging: { level: ${logLevel} }
limits: { max_concurrent_per_tenant: 100000 }
state: { sqlite_path: "${sqlitePath}" }
providers:
  upstream:
    type: openai
    base_url: ${upstreamUrl}/v1
    api_key: ${UPSTREAM_KEY}
    connections: 2048
models:
${models}
tenants:
  - id: bench
    keys: [${TENANT_KEY}]
${tenantLimits}`;
}

/**
 * Starts `node apps/gateway/dist/main.js` with NODE_ENV=production and the kit's config.
 * `name` keys its files in the run directory; `env` adds RUNESTONE_REDIS_URL, RUNESTONE_WORKERS...
 */
export async function startRunestone(ctx, { name, logLevel = ctx.opts.logLevel, limits = false, env = {}, cpus = ctx.layout.gateway, nodeArgs = [], main = GATEWAY_MAIN, readyPollMs = 100, configExtra = "" }) {
  const port = await freePort();
  const dir = join(ctx.runDir, name);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, "runestone.yaml");
  writeFileSync(configPath, gatewayConfigYaml({ port, upstreamUrl: ctx.mock.url, opts: ctx.opts, logLevel, limits, sqlitePath: join(dir, "runestone.db") }) + configExtra);
  const proc = startProcess({
    name,
    command: process.execPath,
    args: [...nodeArgs, main],
    cpus,
    logDir: ctx.logDir,
    env: { NODE_ENV: "production", RUNESTONE_CONFIG: configPath, RUNESTONE_REDIS_URL: undefined, RUNESTONE_WORKERS: undefined, LOG_LEVEL: undefined, PORT: undefined, HOST: undefined, ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(proc, `${url}/health/ready`, 90_000, readyPollMs); // generous: a busy 2-core machine starts slowly
  return { proc, url, port, name, configPath };
}

/**
 * One of the two floors (floors/*.js, or the path of another floor file): the bare Node proxy or Express +
 * express.json + express-openapi-validator, each forwarding to the mock with undici; pinned like the gateway.
 * `flags` go to the floor (`["--born"]`: the card floor with Express's prototypes in place from the start, never in
 * `pnpm bench`), `nodeArgs` to node (cpu-probe's profiling and FLOOR_NODE_ARGS).
 */
export async function startFloor(ctx, id, { flags = [], nodeArgs = [], name = [id, ...flags].join("").replace(/[^a-z0-9]+/gi, "-") } = {}) {
  const port = await freePort();
  const proc = startProcess({
    name,
    command: process.execPath,
    args: [...nodeArgs, FLOORS[id] ?? id, "--port", String(port), "--upstream", `${ctx.mock.url}/v1`, "--key", UPSTREAM_KEY, ...flags],
    cpus: ctx.layout.gateway,
    logDir: ctx.logDir,
    env: { NODE_ENV: "production" },
  });
  const url = `http://127.0.0.1:${port}`;
  // The card floor loads and compiles the whole spec on its first request: minutes-long waits only on a loaded machine (CI).
  await waitForHttp(proc, `${url}/health`, 90_000);
  return { proc, url, port };
}

/** A raw TCP relay to the mock on the gateway's core (floors/tcp-relay.js): the hop probe's hop without HTTP. */
export async function startRelay(ctx) {
  const port = await freePort();
  const proc = startProcess({ name: "tcp-relay", command: process.execPath, args: [RELAY, "--port", String(port), "--upstream", ctx.mock.url], cpus: ctx.layout.gateway, logDir: ctx.logDir });
  const url = `http://127.0.0.1:${port}`;
  // Through the relay, the mock's own listing answers once the relay listens.
  await waitForHttp(proc, `${url}/v1/models`);
  return { proc, url, port };
}

export async function startPortkey(ctx) {
  const port = await freePort();
  const proc = startProcess({ name: "portkey", command: process.execPath, args: [portkeyServer(), `--port=${port}`, "--headless"], cpus: ctx.layout.gateway, logDir: ctx.logDir, env: { NODE_ENV: "production" } });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(proc, `${url}/`, 90_000);
  return { proc, url, port };
}

/** redis-server on a free loopback port, no persistence (like apps/gateway/test/redis-server.ts). */
export async function startRedis(ctx) {
  const port = await freePort();
  const dir = join(ctx.runDir, "redis");
  mkdirSync(dir, { recursive: true });
  const proc = startProcess({
    name: "redis-server",
    command: "redis-server",
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "yes"],
    cpus: ctx.layout.mock,
    logDir: ctx.logDir,
  });
  const deadline = Date.now() + 5_000;
  for (;;) {
    if (!proc.alive) throw new Error(`redis-server did not start (is it installed? apt-get install -y redis-server):\n${proc.stderrTail()}`);
    try {
      await redisCommand(port, "PING");
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer within 5 s: ${err.message}`);
      await sleep(50);
    }
  }
  return { proc, port, url: `redis://127.0.0.1:${port}` };
}

/** One inline Redis command over a fresh socket; returns the raw reply text (enough for PING and INFO). */
export async function redisCommand(port, command) {
  const { createConnection } = await import("node:net");
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host: "127.0.0.1", port });
    let buf = "";
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error("redis timeout"));
    }, 2_000);
    sock.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on("connect", () => sock.write(`${command}\r\n`));
    sock.on("data", (d) => {
      buf += d.toString("utf8");
      const complete = buf.startsWith("$") ? buf.length >= buf.indexOf("\r\n") + 2 + Number(buf.slice(1, buf.indexOf("\r\n"))) + 2 : buf.endsWith("\r\n");
      if (complete) {
        clearTimeout(timer);
        sock.end();
        resolve(buf);
      }
    });
  });
}

/** Commands Redis has processed so far (INFO stats total_commands_processed). */
export async function redisCommandsProcessed(port) {
  const info = await redisCommand(port, "INFO stats");
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? NaN);
}
