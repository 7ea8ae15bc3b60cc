#!/usr/bin/env node
// Reads config, starts the gateway, and shuts down gracefully on SIGTERM/SIGINT.
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { ConfigError, loadConfig } from "./config/load";
import { startGateway } from "./server";
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
  for (const w of warnings) logger.warn(w);
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

main().catch((err) => {
  process.stderr.write(`runestone: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
