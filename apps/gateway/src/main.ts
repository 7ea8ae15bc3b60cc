#!/usr/bin/env node
// Reads config, starts the gateway, and shuts down gracefully on SIGTERM/SIGINT.
// The first SIGTERM or SIGINT starts the drain; a second one during the drain is logged and
// ignored (a Ctrl-C may arrive twice, from the terminal's group and from a parent passing it on):
// the drain is bounded by server.shutdown_grace_ms, and SIGKILL stops the process at once.
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import cluster from "node:cluster";
import { ConfigError, loadConfig } from "./config/load";
import { startGateway } from "./server";
import { serveClusterScrapes } from "./telemetry/cluster-metrics";
import { createLogger } from "./telemetry/logger";
import { startupLines } from "./startup-summary";

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`runestone: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const { config, source, warnings } = loaded;
  const logger = createLogger(config.logging.level);
  if (cluster.isPrimary) for (const w of warnings) logger.warn(w);
  if (cluster.isPrimary && config.queue.workers > 1) return superviseWorkers(config.queue.workers, logger);
  const docsHtmlPath = process.env.RUNESTONE_DOCS_HTML ?? fileURLToPath(new URL("../../docs/dist/index.html", import.meta.url));
  const gw = await startGateway({ config, logger, docsHtmlPath: existsSync(docsHtmlPath) ? docsHtmlPath : undefined, warmValidators: true });
  logger.info({ url: gw.url, config: source }, `runestone listening on ${gw.url}`);
  for (const line of startupLines(gw.url, config)) logger.info(line);
  onStop(logger, (signal) => {
    logger.info({ signal }, "shutting down: draining in-flight requests");
    gw.close().then(
      () => {
        logger.info("shutdown complete");
        logger.flush();
        process.exit(0);
      },
      (err) => {
        logger.error({ err: String(err) }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}

/**
 * Calls `stop` once: on the first SIGTERM or SIGINT, or when the process that started this one with
 * an IPC channel (scripts/run.mjs, behind `npm start`) is gone. Later signals are logged, not obeyed.
 */
function onStop(logger: ReturnType<typeof createLogger>, stop: (reason: string) => void): void {
  let stopping: string | undefined;
  const handle = (reason: string) => {
    if (stopping) {
      logger.warn({ signal: reason }, `${reason} ignored: already draining after ${stopping} (bounded by server.shutdown_grace_ms; SIGKILL stops at once)`);
      return;
    }
    stopping = reason;
    stop(reason);
  };
  process.on("SIGTERM", () => handle("SIGTERM"));
  process.on("SIGINT", () => handle("SIGINT"));
  if (cluster.isPrimary && process.send) {
    process.channel?.unref();
    process.once("disconnect", () => handle("parent process exited"));
  }
}

/**
 * RUNESTONE_WORKERS=N: N full gateways sharing the port (node:cluster); limits, slots, the queue and
 * keys are shared through Redis, which the config check already requires. A worker that dies is
 * replaced; SIGTERM drains every worker.
 */
function superviseWorkers(n: number, logger: ReturnType<typeof createLogger>): void {
  let stopping = false;
  logger.info({ workers: n }, `starting ${n} gateway worker processes`);
  serveClusterScrapes();
  for (let i = 0; i < n; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, "a gateway worker process died; starting a replacement");
    cluster.fork();
  });
  onStop(logger, (reason) => {
    stopping = true;
    logger.info({ signal: reason }, "shutting down: draining every worker");
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(reason === "SIGINT" ? "SIGINT" : "SIGTERM");
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
}

main().catch((err) => {
  process.stderr.write(`runestone: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
