// Connects the overflow queue to the rest of the app: a runner over the app's router and
// admission, started on the queue, and what the chat route needs to queue a refused request.
import type { Logger } from "pino";
import type { Admission } from "../admission/types";
import type { RunestoneConfig } from "../config/schema";
import type { Router } from "../routing/router";
import { tenantFromConfig, type KeyStore } from "../state/key-store";
import type { Limits, Tenant } from "../core/tenant";
import type { GatewayEvents } from "../core/gateway-events";
import { attemptPricing } from "../telemetry/attempt-cost";
import { costUsd } from "../telemetry/usage-cost";
import type { UsageLedger } from "../telemetry/usage-ledger";
import type { JobQueue } from "./job-queue";
import { JobRunner } from "./job-runner";
import type { OverflowDeps } from "./overflow";
import type { JobPreparer } from "./prepared-job";

export interface WireJobsDeps {
  jobs?: JobQueue;
  admission?: Admission;
  router: Router;
  keys: KeyStore;
  config: RunestoneConfig;
  logger: Logger;
  events?: GatewayEvents;
  ledger?: UsageLedger;
  /** How queued Responses API jobs run (endpoints/responses/responses-job.ts). */
  responseJobs?: JobPreparer;
}

export function wireJobs(d: WireJobsDeps): OverflowDeps | undefined {
  if (!d.jobs || !d.admission) return undefined;
  const fromConfig = new Map(d.config.tenants.map((t) => [t.id, tenantFromConfig(t)]));
  // Prefer the key store's view of a tenant: it carries limits set through the admin API.
  const live = d.keys as KeyStore & { tenant?(id: string): Tenant | undefined; keyRevoked?(id: string): boolean; keyLimits?(id: string): Limits | undefined };
  const resolveTenant = (id: string) => live.tenant?.(id) ?? fromConfig.get(id);
  const ledger = d.ledger;
  const runner = new JobRunner({
    admission: d.admission,
    router: d.router,
    resolveTenant,
    keyRevoked: (id) => live.keyRevoked?.(id) ?? false,
    keyLimits: (id) => live.keyLimits?.(id),
    requestTimeoutMs: d.config.server.request_timeout_ms,
    logger: d.logger,
    events: d.events,
    responseJobs: d.responseJobs,
    accountUsage: ledger
      ? (job, u, attempt) => {
          const counts = { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0 };
          const label = typeof job.body.tenant_id === "string" && job.body.tenant_id !== job.tenantId ? job.body.tenant_id : "";
          ledger.record({ tenant: job.tenantId, label, model: attempt.candidate.model.id, ...counts, costUsd: costUsd(attemptPricing(attempt), counts) });
        }
      : undefined,
  });
  d.jobs.start(runner);
  const jobs = d.jobs;
  d.admission.onSlotFreed?.((tenantId) => jobs.wake?.(tenantId));
  return { jobs: d.jobs, runner, events: d.events };
}
