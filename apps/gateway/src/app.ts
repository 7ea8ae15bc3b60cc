// createApp(deps): wires middleware and routes. It never listens; main.ts and tests do.
import express, { type Express } from "express";
import * as OpenApiValidator from "express-openapi-validator";
import type { Logger } from "pino";
import { openapiDocument } from "@runestone/contract";
import type { RunestoneConfig } from "./config/schema";
import { authenticate } from "./http/auth";
import { errorHandler, notFoundHandler } from "./http/error-handler";
import { jsonBody } from "./http/json-body";
import { methodNotAllowed } from "./http/method-not-allowed";
import { Lifecycle } from "./http/lifecycle";
import { requestId } from "./http/request-id";
import { chatRoutes } from "./http/routes/chat";
import { docsRoutes } from "./http/routes/docs";
import { healthRoutes } from "./http/routes/health";
import { modelRoutes } from "./http/routes/models";
import { ProviderRegistry } from "./providers/registry";
import { Catalog } from "./routing/catalog";
import { Router } from "./routing/router";
import { MemoryKeyStore, type KeyStore } from "./state/key-store";
import { requestLog } from "./telemetry/request-log";
import { version } from "./version";

export interface AppDeps {
  config: RunestoneConfig;
  logger: Logger;
  providers?: ProviderRegistry;
  keys?: KeyStore;
  lifecycle?: Lifecycle;
  /** Validate every JSON response against the spec (tests turn this on). */
  validateResponses?: boolean;
  docsHtmlPath?: string;
}

export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const providers = deps.providers ?? new ProviderRegistry(config);
  const keys = deps.keys ?? MemoryKeyStore.fromConfig(config.tenants);
  const lifecycle = deps.lifecycle ?? new Lifecycle();
  const catalog = new Catalog(config, providers);
  const router = new Router(catalog, config.routing.default_policy);

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");

  app.use(requestId);
  app.use(requestLog(logger, lifecycle));
  app.use(healthRoutes({ providers, lifecycle, version }));
  app.use(docsRoutes({ openapiDocument, docsHtmlPath: deps.docsHtmlPath }));
  app.use(jsonBody(config.server.body_limit));
  app.use("/v1", authenticate(keys));
  app.use(
    OpenApiValidator.middleware({
      apiSpec: structuredClone(openapiDocument) as never,
      validateRequests: { allowUnknownQueryParameters: false },
      validateResponses: deps.validateResponses ? { removeAdditional: false } : false,
      validateSecurity: false,
      validateApiSpec: false,
      ignoreUndocumented: true,
    }),
  );
  app.use(chatRoutes({ router, requestTimeoutMs: config.server.request_timeout_ms }));
  app.use(modelRoutes(catalog));
  app.use(methodNotAllowed(openapiDocument));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
