// The overflow branch of a request that admission refused (chat, or a non-streaming Responses API
// request): queue it (202 with a job id) when the tenant or the request opts in, answer 429
// `queue_full` when the tenant's queue is full, or leave the refusal to the caller (its 429) otherwise.
import type { Request, Response } from "express";
import type { Schema } from "@runestone/contract";
import type { AdmissionResult } from "../admission/types";
import { HttpError } from "../core/http-error";
import type { Tenant } from "../core/tenant";
import { contextOf } from "../core/request-context";
import type { GatewayEvents } from "../core/gateway-events";
import type { JobQueue } from "./job-queue";
import type { JobKind } from "./job-record";
import type { JobRunner } from "./job-runner";

export type Refusal = Extract<AdmissionResult, { admitted: false }>;

/** What a queued request keeps (a PreparedChat is one; chat is the default kind). */
export interface QueueableRequest {
  kind?: JobKind;
  tenant: Tenant;
  requestId: string;
  stream: boolean;
  /** The body as the client sent it (Runestone's fields included): what the job runs. */
  body: Record<string, unknown>;
}

export interface OverflowDeps {
  jobs: JobQueue;
  runner: JobRunner;
  events?: GatewayEvents;
}

/** The request header wins over the tenant's configured overflow mode. */
export function wantsQueue(req: Request, prepared: QueueableRequest): boolean {
  const header = req.headers["x-runestone-overflow"];
  if (header === "queue") return true;
  if (header === "reject") return false;
  // A stream is queued only when the request itself says it reads a 202 (`queue`, or `tenant`: the tenant's mode,
  // as @runestone/sdk asks): a stock SDK that sent `stream: true` reads a 202's JSON body as a stream with no
  // events, so its caller would see an empty answer while the job runs and is charged. Refused, it gets a 429
  // with Retry-After, which the SDKs retry by themselves.
  if (prepared.stream && header !== "tenant") return false;
  return prepared.tenant.overflow === "queue";
}

/**
 * Answers 202 and returns true when the request was queued. Returns false when it does not
 * overflow to the queue (the caller answers its 429). Throws a 429 `queue_full` when it should
 * have been queued but the tenant's queue is full.
 */
export async function overflowToQueue(deps: OverflowDeps | undefined, req: Request, res: Response, prepared: QueueableRequest, refusal: Refusal): Promise<boolean> {
  if (!deps || !wantsQueue(req, prepared)) return false;
  // Waiting in the queue cannot help a spent budget (it resets at its period's end) or an unpriced model. A
  // budget merely reserved by requests in flight can: they settle within their run time.
  if (refusal.limit === "budget" || refusal.limit === "unpriced_model") return false;
  const tenant = prepared.tenant;
  const queued = await deps.jobs.enqueue({
    kind: prepared.kind ?? "chat.completion",
    tenantId: tenant.id,
    keyId: contextOf(res).principal?.keyId || null,
    requestId: prepared.requestId,
    model: typeof prepared.body.model === "string" ? prepared.body.model : null,
    stream: prepared.stream,
    body: prepared.body,
  });
  if (!queued.queued) {
    deps.events?.rateLimited?.({ tenant: tenant.id, limit: "queue_full", action: "rejected" });
    const retryAfter = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
    throw new HttpError({
      status: 429,
      type: "rate_limit_error",
      code: "queue_full",
      message: `${refusal.message} The tenant's overflow queue is full too (${deps.jobs.settings.maxPerTenant} jobs). Retry after ${retryAfter} s.`,
      headers: { "retry-after": String(retryAfter) },
    });
  }
  deps.events?.rateLimited?.({ tenant: tenant.id, limit: refusal.limit, action: "queued" });
  deps.events?.jobQueued?.({ tenant: tenant.id, depth: queued.position });
  const statusUrl = `/v1/jobs/${queued.job.id}`;
  const body: Schema<"QueuedResponse"> = {
    message: `Request queued: ${refusal.message} It will run when the tenant's limits allow; poll status_url for its result.`,
    job_id: queued.job.id,
    request_id: prepared.requestId,
    estimated_wait_time: deps.runner.estimateWaitSeconds(queued.position, refusal.retryAfterMs, tenant),
    status_url: statusUrl,
  };
  res.setHeader("location", statusUrl);
  res.status(202).json(body);
  return true;
}
