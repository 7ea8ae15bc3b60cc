#!/usr/bin/env node
// Reads config, starts the gateway, and shuts down gracefully on SIGTERM/SIGINT.
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import cluster from "node:cluster";
import { ConfigError, loadConfig } from "./config/load";
import { startGateway } from "./server";
import { serveClusterScrapes } from "./telemetry/cluster-metrics";
import { createLogger } from "./telemetry/logger";

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
  const gw = await startGateway({ config, logger, docsHtmlPath: existsSync(docsHtmlPath) ? docsHtmlPath : undefined });
  logger.info({ url: gw.url, config: source }, `runestone listening on ${gw.url}`);
  const shutdown = (signal: string) => {
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
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
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
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    logger.info({ signal }, "shutting down: draining every worker");
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

main().catch((err) => {
  process.stderr.write(`runestone: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
