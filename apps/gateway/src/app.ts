// createApp(deps): wires middleware and routes. It never listens; main.ts and tests do.
import express, { type Express, type RequestHandler } from "express";
import * as OpenApiValidator from "express-openapi-validator";
import type { Logger } from "pino";
import { openapiDocument } from "@runestone/contract";
import type { RunestoneConfig } from "./config/schema";
import { parseByteSize } from "./config/byte-size";
import { authenticate } from "./http/auth";
import { atMountPath, compose, onlyUnder } from "./http/compose";
import { byExactPath, exactPostRoutes, specWithOnlyPath, validatorPathOf } from "./http/exact-paths";
import { cors } from "./http/cors";
import { errorHandler, notFoundHandler } from "./http/error-handler";
import { reportHandlerErrorsTo } from "./core/guard-handler";
import { bodyGuard } from "./http/body-guard";
import { jsonBody } from "./http/json-body";
import { requireDeclaredBody } from "./http/require-body";
import { methodNotAllowed } from "./http/method-not-allowed";
import { Lifecycle } from "./http/lifecycle";
import { refuseWhileDraining } from "./http/refuse-while-draining";
import { originFormFirst } from "./http/origin-form";
import { foldHeldHeaders } from "./http/fold-held-headers";
import { warmValidators } from "./http/warm-validators";
import { requestId } from "./http/request-id";
import { chatRoutes } from "./http/routes/chat";
import { embeddingsRoutes } from "./http/routes/embeddings";
import { messagesRoutes } from "./http/routes/messages";
import { responsesRoutes } from "./http/routes/responses";
import { responseJobPreparer } from "./endpoints/responses/responses-job";
import { jobRoutes } from "./http/routes/jobs";
import { storedResponseRoutes } from "./http/routes/stored-responses";
import type { JobQueue } from "./jobs/job-queue";
import { wireJobs } from "./jobs/wire-jobs";
import type { Admission } from "./admission/types";
import { docsRoutes } from "./http/routes/docs";
import { healthRoutes } from "./http/routes/health";
import { modelRoutes } from "./http/routes/models";
import { ProviderRegistry } from "./providers/registry";
import { Catalog } from "./routing/catalog";
import { ModelDiscovery } from "./routing/model-discovery";
import { Router } from "./routing/router";
import { Resilience } from "./resilience/resilience";
import type { KeyStore } from "./state/key-store";
import { combineEvents, type GatewayEvents } from "./core/gateway-events";
import { requestLog } from "./telemetry/request-log";
import { createTelemetry, type Telemetry } from "./telemetry/telemetry";
import { metricsRoutes } from "./http/routes/metrics";
import { AdminKey } from "./state/admin-key";
import { memoryState, type GatewayState } from "./open-state";
import { adminRoutes } from "./http/routes/admin";
import { usageRoutes } from "./http/routes/usage";
import { dashboardRoutes } from "./http/routes/dashboard";
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
  /** Listeners for what happens inside the gateway (tests, extra sinks); telemetry's own are added. */
  events?: GatewayEvents;
  /** Metrics and tracing; made from the config when absent. */
  telemetry?: Telemetry;
  /** Tenant limits; refused requests answer 429, or 202 when they overflow to `jobs`. */
  admission?: Admission;
  /** The overflow queue (started here with a worker over this app's router and admission). */
  jobs?: JobQueue;
  /** Keys, limits and the usage ledger (open-state.ts); in-process memory when absent. */
  state?: GatewayState;
}

/** The gateway's Express app, and a way to build its model endpoints' request validators before the first request. */
export type GatewayApp = Express & { warmValidators(): Promise<number> };

export function createApp(deps: AppDeps): GatewayApp {
  const { config, logger } = deps;
  reportHandlerErrorsTo(logger);
  const providers = deps.providers ?? new ProviderRegistry(config);
  const state = deps.state ?? memoryState(config);
  const keys = deps.keys ?? state.keys;
  const admission = deps.admission ?? state.admission;
  const lifecycle = deps.lifecycle ?? new Lifecycle();
  const catalog = new Catalog(config, providers);
  const telemetry = deps.telemetry ?? createTelemetry({ config, openapiDocument });
  const events = combineEvents(telemetry.events, deps.events ?? {});
  const resilience = new Resilience({ config: config.resilience, events, requestTimeoutMs: config.server.request_timeout_ms });
  for (const m of catalog.all()) for (const d of m.deployments) if (d.provider.configured) resilience.breakers.get(d.provider.id, d.model);
  if (state.breakerPeers) resilience.breakers.share(state.breakerPeers);
  const router = new Router(catalog, config.routing.default_policy, resilience);

  const app = originFormFirst(express());
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  foldHeldHeaders(app.response); // headers held in the request context go into the head Node writes (http/fold-held-headers.ts)

  // The middlewares in their order, grouped into a few Express layers (http/compose.ts: each layer costs
  // CPU on every request); the health, metrics and docs routers are entered only for their own paths.
  const bodyLimit = parseByteSize(config.server.body_limit)!;
  const front: RequestHandler[] = [
    requestId,
    requestLog({ logger, lifecycle, labels: telemetry.labels, events, active: telemetry.metrics, onFinished: telemetry.tracing && ((e, res) => telemetry.tracing!.requestFinished(e, res)) }),
  ];
  if (config.server.cors) front.push(cors(config.server.cors));
  front.push(bodyGuard(bodyLimit, config.server.body_timeout_ms));
  front.push(refuseWhileDraining(lifecycle));
  front.push(onlyUnder(["/health"], healthRoutes({ providers, lifecycle, version, breakers: resilience.breakers, jobs: deps.jobs, state })));
  if (telemetry.metrics) {
    telemetry.metrics.bindBreakers(resilience.breakers);
    if (deps.jobs) telemetry.metrics.bindQueueDepth(async () => (await deps.jobs!.stats()).depth);
    front.push(onlyUnder(["/metrics"], metricsRoutes({ metrics: telemetry.metrics, access: config.metrics.access, adminKey: AdminKey.fromConfig(config.admin) })));
  }
  front.push(onlyUnder(["/openapi.json", "/docs"], docsRoutes({ openapiDocument, docsHtmlPath: deps.docsHtmlPath })));
  // After the key: an unauthenticated body is never read (its 401 closes the connection). Entered as a mount at
  // "/v1" would be, but inside the same layer: no router layer, and req.url is not rewritten (auth.ts reads
  // the path below /v1 itself).
  const v1 = atMountPath("/v1", compose([authenticate(keys, state.adminKey), ...jsonBody(bodyLimit)]));
  const validatorFor = (apiSpec: Record<string, unknown>) =>
    compose(
      OpenApiValidator.middleware({
        apiSpec: apiSpec as never,
        validateRequests: { allowUnknownQueryParameters: false },
        validateResponses: deps.validateResponses ? { removeAdditional: false } : false,
        validateSecurity: false,
        validateApiSpec: false,
        ignoreUndocumented: true,
        // Our pnpm patch's cheaper per-request paths (same answers); the bench's card floor runs the stock ones.
        runestoneFastPaths: true,
      }) as RequestHandler[],
    );
  // The validator looks a request's route up over every path of the spec, in order: chat completions, the
  // busiest path, gets a validator of its own over a document with only that path and the components it
  // uses (http/exact-paths.ts), picked by the path the validator itself matches and built at startup like
  // the other (each loads its document asynchronously; built on first use, a whole-spec load delayed the
  // first request by ~0.5 s). Every other path goes to the validator over the whole spec.
  const hotPaths = ["/v1/chat/completions"];
  const validator = byExactPath(
    new Map(hotPaths.map((p) => [p, validatorFor(specWithOnlyPath(openapiDocument, p))])),
    validatorFor(structuredClone(openapiDocument)),
    validatorPathOf,
  );
  const onStoreError = (err: unknown) => logger.warn({ err: { name: (err as Error)?.name, code: (err as { code?: unknown })?.code } }, "response store write failed");
  const responseJobs = responseJobPreparer({ router, responseStore: state.responses, onStoreError });
  const overflow = wireJobs({ jobs: deps.jobs, admission, router, keys, config, logger, events, ledger: state.ledger, responseJobs });
  const accounting = { ledger: state.ledger, tenantById: (id: string) => state.keys.tenant(id), onError: (err: unknown, what: string) => logger.warn({ err: String(err) }, `${what} failed`) };
  // The model routes first, as one middleware over their exact paths (http/exact-paths.ts): the routes'
  // paths are disjoint, so their order changes no answer, only how many layers a model call walks past.
  const modelCallRoutes = {
    ...chatRoutes({ router, requestTimeoutMs: config.server.request_timeout_ms, admission, accounting, overflow, validateResponses: deps.validateResponses, cache: state.cache }),
    ...messagesRoutes({ router, requestTimeoutMs: config.server.request_timeout_ms, admission, ledger: state.ledger, validateResponses: deps.validateResponses }),
    ...responsesRoutes({ router, requestTimeoutMs: config.server.request_timeout_ms, admission, ledger: state.ledger, responseStore: state.responses, validateResponses: deps.validateResponses, onStoreError, overflow }),
    ...embeddingsRoutes({ router, requestTimeoutMs: config.server.request_timeout_ms, admission, ledger: state.ledger, validateResponses: deps.validateResponses }),
  };
  const modelEndpoints = exactPostRoutes(modelCallRoutes);
  // One Express layer takes a model call from its first middleware to its endpoint. The server span reads the
  // model from the body, so it starts once the body is in (still at the request's start time).
  app.use(compose([...front, v1, ...(telemetry.tracing ? [telemetry.tracing.middleware] : []), validator, requireDeclaredBody, modelEndpoints]));
  app.use(jobRoutes(deps.jobs));
  // Only the error's name and code: a parse error's message could quote the stored conversation.
  app.use(storedResponseRoutes({ store: state.responses, onError: (err, what) => logger.warn({ err: { name: (err as Error)?.name, code: (err as { code?: unknown })?.code } }, `${what} failed`) }));
  app.use(adminRoutes(state.keys));
  const budgets = { book: state.budgets, directory: state.keys };
  app.use(usageRoutes(state.ledger, budgets));
  app.use(onlyUnder(["/dashboard"], dashboardRoutes({ access: config.metrics.access, adminKey: state.adminKey, traffic: telemetry.traffic, breakers: resilience.breakers, ledger: state.ledger, jobs: deps.jobs, budgets })));
  const discovery = new ModelDiscovery(config, (provider, err) => logger.warn({ provider, err: String(err) }, "model discovery failed"));
  void discovery.start();
  app.use(modelRoutes(catalog, discovery));
  app.use(methodNotAllowed(openapiDocument));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  // The validators warmed are those of the model routes' own paths: a new endpoint is warmed with no list to keep.
  return Object.assign(app, { warmValidators: () => warmValidators(app, validator, Object.keys(modelCallRoutes)) });
}
