// Runs one queued job through the same path as a direct request, re-entering at "route": the tenant's
// admission first, then the job's own way through the pipeline (chat-job.ts: prepareChat -> completeChat;
// a Responses job: the Responses endpoint's, injected), as one non-streaming call whose whole answer
// becomes the job's result.
import type { Logger } from "pino";
import type { Admission, Lease } from "../admission/types";
import { HttpError } from "../core/http-error";
import { toHttpError } from "../core/to-http-error";
import type { Usage } from "../core/provider-contract";
import type { Attempt } from "../core/route-plan";
import type { Router } from "../routing/router";
import type { Limits, Tenant } from "../core/tenant";
import type { GatewayEvents } from "../core/gateway-events";
import { attemptCost, jobUsage } from "../telemetry/attempt-cost";
import { estimateCostUsd } from "../admission/budgets";
import { rateLimited } from "../admission/chat-admission";
import { keyRevokedError, type JobError, type JobRecord, type JobResult } from "./job-record";
import { chatJobPreparer } from "./chat-job";
import type { JobPreparer, PreparedJob } from "./prepared-job";
import { CANCELLED } from "./running-jobs";
import { realAbortSignal } from "../resilience/deadline";

export interface JobRunnerDeps {
  admission: Admission;
  router: Router;
  /** The tenant as it is now (limits may have changed since the job was queued). */
  resolveTenant(id: string): Tenant | undefined;
  /** Whether the key with this id was revoked (a job queued by it must not run afterwards). */
  keyRevoked?(keyId: string): boolean;
  /** The queuing key's own limits: a queued request is admitted under them as a direct one is. */
  keyLimits?(keyId: string): Limits | undefined;
  requestTimeoutMs: number;
  logger: Logger;
  events?: GatewayEvents;
  /** Accounts a finished job's usage (the usage ledger), as the chat route does for direct requests. */
  /** The job's tokens for the usage ledger: the provider's report, or the estimate when it sent none. */
  accountUsage?(job: JobRecord, usage: Usage, attempt: Attempt): void;
  /** How a Responses API job runs (endpoints/responses/); without it such a job fails rather than run as chat. */
  responseJobs?: JobPreparer;
}

export type Admitted =
  | { admitted: true; lease: Lease; tenant: Tenant }
  | { admitted: false; retryAfterMs: number }
  /** The job can never run (its tenant is gone, or its request no longer routes). */
  | { admitted: false; error: JobError };

export type Outcome = { status: "succeeded"; result: JobResult } | { status: "failed"; error: JobError };

export class JobRunner {
  /** A moving average of run time, for the 202's estimated wait. */
  private avgRunMs = 1_000;
  private readonly chatJobs: JobPreparer;

  constructor(private readonly deps: JobRunnerDeps) {
    this.chatJobs = chatJobPreparer(deps.router);
  }

  async admit(job: JobRecord): Promise<Admitted> {
    if (job.keyId && this.deps.keyRevoked?.(job.keyId)) return { admitted: false, error: keyRevokedError() };
    const tenant = this.deps.resolveTenant(job.tenantId);
    if (!tenant) {
      return { admitted: false, error: { message: "The job's tenant no longer exists.", type: "permission_error", code: "tenant_not_found", param: null } };
    }
    let prepared: PreparedJob;
    try {
      prepared = await this.prepare(job, tenant);
    } catch (err) {
      return { admitted: false, error: toHttpError(err).toBody().error };
    }
    const keyId = job.keyId || undefined;
    const { promptTokens, tokens, candidates } = prepared;
    const res = await this.deps.admission.admit({
      tenant,
      keyId,
      keyLimits: keyId ? this.deps.keyLimits?.(keyId) : undefined,
      estimatedTokens: tokens,
      estimateCostUsd: () => estimateCostUsd(candidates, promptTokens, tokens),
      model: candidates[0]?.model.id,
    });
    // A spent budget does not come back within a job's wait (it resets at the period's end): the job fails at
    // once with the refusal a direct request gets, never runs past the budget. A budget whose rest is only
    // reserved by requests in flight (budget_reserved) backs off like a rate limit and is asked again.
    if (!res.admitted && (res.limit === "budget" || res.limit === "unpriced_model")) return { admitted: false, error: rateLimited(res).toBody().error };
    if (!res.admitted) return { admitted: false, retryAfterMs: res.retryAfterMs };
    return { admitted: true, lease: res.lease, tenant };
  }

  /** Never throws; always releases the lease exactly once. */
  async run(job: JobRecord, tenant: Tenant, lease: Lease, signal: AbortSignal): Promise<Outcome> {
    const t0 = performance.now();
    let tokens: number | undefined;
    // What the job spent, for its budget: $0 unless an answer came back (a failed upstream call is not billed)
    // or the job was stopped mid-call (below).
    let costUsd = 0;
    // AbortSignal.any links real AbortSignals only: a request's RequestSignal (resilience/deadline.ts) would never abort it.
    const deadline = AbortSignal.any([realAbortSignal(signal), AbortSignal.timeout(this.deps.requestTimeoutMs)]);
    let prepared: PreparedJob | undefined;
    try {
      this.deps.events?.jobStarted?.({ tenant: job.tenantId, waitMs: Date.now() - job.createdAt });
      prepared = await this.prepare(job, tenant);
      const { result, attempt, usage, estimated } = await prepared.run(deadline);
      tokens = usage.total_tokens;
      costUsd = attemptCost(attempt, { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0 }) ?? 0;
      this.deps.events?.jobUsage?.(jobUsage(job.tenantId, attempt, usage));
      this.deps.accountUsage?.(job, usage, attempt);
      this.deps.logger.info(
        { job_id: job.id, request_id: job.requestId, tenant: job.tenantId, provider: attempt.candidate.provider.id, model: attempt.candidate.model.id, fallbacks: attempt.fallbacks, duration_ms: Math.round(performance.now() - t0), prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, ...(estimated ? { tokens_estimated: true } : {}) },
        "job succeeded",
      );
      return { status: "succeeded", result };
    } catch (err) {
      const error = toHttpError(err).toBody().error;
      const cancelled = signal.reason === CANCELLED;
      // Cancelled, timed out or shut down mid-call: the provider has most likely billed the prompt already. It is
      // charged as a direct request whose client leaves is: the prompt estimate, at the dearest candidate's price.
      if (deadline.aborted && prepared) costUsd = estimateCostUsd(prepared.candidates, prepared.promptTokens, prepared.promptTokens) ?? 0;
      this.deps.logger.info({ job_id: job.id, request_id: job.requestId, tenant: job.tenantId, code: cancelled ? "job_cancelled" : error.code, duration_ms: Math.round(performance.now() - t0) }, cancelled ? "job cancelled while running" : "job failed");
      return { status: "failed", error };
    } finally {
      this.avgRunMs = 0.8 * this.avgRunMs + 0.2 * (performance.now() - t0);
      await lease.release(tokens, costUsd).catch((err) => this.deps.logger.warn({ job_id: job.id, err: String(err) }, "releasing a job's admission lease failed"));
    }
  }

  /** Seconds until a job at `position` (1 = next) is likely to start. */
  estimateWaitSeconds(position: number, retryAfterMs: number, tenant: Tenant): number {
    const parallel = Math.max(1, tenant.limits.max_concurrent ?? 1);
    return Math.ceil((Math.max(0, retryAfterMs) + ((position - 1) * this.avgRunMs) / parallel) / 1000);
  }

  private prepare(job: JobRecord, tenant: Tenant): Promise<PreparedJob> {
    if (job.kind === "chat.completion") return this.chatJobs(job, tenant);
    if (!this.deps.responseJobs) {
      return Promise.reject(new HttpError({ status: 500, type: "api_error", code: "job_worker_error", message: "This gateway cannot run queued Responses API jobs." }));
    }
    return this.deps.responseJobs(job, tenant);
  }
}
