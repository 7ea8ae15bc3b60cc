// Builds the app, listens, and shuts down gracefully: mark not ready (probes still answered), let
// in-flight requests finish (up to the grace period), stop listening, then close upstream pools.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { createApp } from "./app";
import type { RunestoneConfig } from "./config/schema";
import { answerClientError } from "./http/client-error";
import { expressBornClasses } from "./http/express-born";
import { Lifecycle } from "./http/lifecycle";
import { ProviderRegistry } from "./providers/registry";
import { combineEvents, type GatewayEvents } from "./core/gateway-events";
import { createTelemetry } from "./telemetry/telemetry";
import { loadTracing } from "./telemetry/load-tracing";
import { openapiDocument } from "@runestone/contract";
import { version } from "./version";
import type { Admission } from "./admission/types";
import type { JobQueue } from "./jobs/job-queue";
import { openJobQueue } from "./jobs/open-job-queue";
import { openState, type GatewayState } from "./open-state";

export interface StartOptions {
  config: RunestoneConfig;
  logger: Logger;
  host?: string;
  port?: number;
  validateResponses?: boolean;
  docsHtmlPath?: string;
  events?: GatewayEvents;
  admission?: Admission;
  /** The overflow queue; by default opened on the configured state backend and closed with the server. */
  jobs?: JobQueue;
  /** Keys, limits and usage; by default opened on the configured state backend and closed with the server. */
  state?: GatewayState;
  /**
   * Build the model endpoints' request validators before listening (http/warm-validators.ts), so the first
   * request to each does not compile its schemas. main.ts does; tests that start many gateways do not.
   */
  warmValidators?: boolean;
}

export interface RunningGateway {
  url: string;
  port: number;
  server: Server;
  lifecycle: Lifecycle;
  state: GatewayState;
  /** Graceful shutdown; resolves when the server is closed. */
  close(): Promise<void>;
}

export async function startGateway(opts: StartOptions): Promise<RunningGateway> {
  const lifecycle = new Lifecycle();
  const providers = new ProviderRegistry(opts.config);
  const telemetry = createTelemetry({ config: opts.config, openapiDocument, tracing: await loadTracing({ config: opts.config, version }) });
  const jobs = opts.jobs ?? (await openJobQueue(opts.config, opts.logger, combineEvents(telemetry.events, opts.events ?? {})));
  const state = opts.state ?? (await openState(opts.config, { onError: (err, what) => opts.logger.warn({ err: String(err) }, `${what} failed`), onInfo: (fields, msg) => opts.logger.info(fields, msg) }));
  const app = createApp({ config: opts.config, logger: opts.logger, providers, lifecycle, validateResponses: opts.validateResponses, docsHtmlPath: opts.docsHtmlPath, events: opts.events ?? {}, admission: opts.admission, jobs, telemetry, state });
  // headersTimeout is only enforced on each connections check, so the check runs often enough for it.
  const headersTimeout = opts.config.server.headers_timeout_ms;
  // requestTimeout ends when the request is in (Node stops timing a request once its body is complete), so it
  // never cuts a long stream: a backstop here for bodies that nothing reads; body-guard answers 408 first.
  const requestTimeout = headersTimeout + opts.config.server.body_timeout_ms;
  const server = createServer({ ...expressBornClasses(app), keepAliveTimeout: 65_000, headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(30_000, Math.ceil(headersTimeout / 4)) }, app);
  server.on("clientError", answerClientError(opts.logger));
  if (opts.warmValidators) {
    const started = performance.now();
    const operations = await app.warmValidators();
    opts.logger.info({ operations, ms: Math.round(performance.now() - started) }, "request validators built");
  }
  const host = opts.host ?? opts.config.server.host;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // A deep accept backlog: bursts of thousands of new connections (e.g. streams opening at once)
    // must queue, not be reset (Node's default is 511; the kernel caps it at somaxconn).
    server.listen({ port: opts.port ?? opts.config.server.port, host, backlog: 4096 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  lifecycle.ready = true;
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // The listener stays open while in-flight requests finish, so that probes see /health/ready
      // answer 503 draining and new model calls get 503 with Retry-After (http/refuse-while-draining.ts);
      // every answer now closes its connection, and idle keep-alive connections are closed as they appear.
      lifecycle.draining = true;
      // Running jobs get the same grace as in-flight requests; what is left is failed with a reason.
      const jobsClosed = opts.jobs ? Promise.resolve() : jobs.close(opts.config.server.shutdown_grace_ms);
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 250);
      const drained = await lifecycle.idle(opts.config.server.shutdown_grace_ms);
      clearInterval(sweep);
      if (!drained) opts.logger.warn({ in_flight: lifecycle.inFlight }, "shutdown grace period over; closing remaining connections");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await jobsClosed;
      if (!opts.jobs) jobs.release?.();
      if (!opts.state) await state.close();
      await providers.close();
      await telemetry.shutdown().catch((err) => opts.logger.warn({ err: String(err) }, "flushing traces failed"));
    })());
  return { url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, port, server, lifecycle, state, close };
}
