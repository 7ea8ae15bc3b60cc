// Builds the app, listens, and shuts down gracefully: stop accepting, mark not ready, let
// in-flight requests finish (up to the grace period), then close upstream pools.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { createApp } from "./app";
import type { RunestoneConfig } from "./config/schema";
import { Lifecycle } from "./http/lifecycle";
import { ProviderRegistry } from "./providers/registry";

export interface StartOptions {
  config: RunestoneConfig;
  logger: Logger;
  host?: string;
  port?: number;
  validateResponses?: boolean;
  docsHtmlPath?: string;
}

export interface RunningGateway {
  url: string;
  port: number;
  server: Server;
  lifecycle: Lifecycle;
  /** Graceful shutdown; resolves when the server is closed. */
  close(): Promise<void>;
}

export async function startGateway(opts: StartOptions): Promise<RunningGateway> {
  const lifecycle = new Lifecycle();
  const providers = new ProviderRegistry(opts.config);
  const app = createApp({ config: opts.config, logger: opts.logger, providers, lifecycle, validateResponses: opts.validateResponses, docsHtmlPath: opts.docsHtmlPath });
  const server = createServer({ keepAliveTimeout: 65_000 }, app);
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // streams may last long; the gateway enforces its own deadlines
  const host = opts.host ?? opts.config.server.host;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? opts.config.server.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  lifecycle.ready = true;
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      lifecycle.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = await lifecycle.idle(opts.config.server.shutdown_grace_ms);
      if (!drained) opts.logger.warn({ in_flight: lifecycle.inFlight }, "shutdown grace period over; closing remaining connections");
      server.closeAllConnections();
      await closed;
      await providers.close();
    })());
  return { url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, port, server, lifecycle, close };
}
