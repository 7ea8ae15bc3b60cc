// A queued job (a chat or a Responses API request) as the stores keep it, and its public view (the spec's
// Job). A job holds the tenant id, the request id and the body the client sent: never an API key or any
// other secret.
import { randomBytes } from "node:crypto";
import type { Schema } from "@runestone/contract";
import type { ChatCompletion } from "../core/provider-contract";

export type JobStatus = Schema<"JobStatus">;
export type JobError = Schema<"ErrorObject">;
export type JobView = Schema<"Job">;
/** What the queued request was, and so what its answer is: a chat completion or a Responses API `response`. */
export type JobKind = JobView["kind"];
/** A finished job's answer: the completion (chat) or the `response` object (Responses). */
export type JobResult = ChatCompletion | NonNullable<JobView["response"]>;

/** A stored kind, read leniently: jobs persisted before kinds existed (no kind) are chat jobs. */
export function jobKindOf(stored: unknown): JobKind {
  return stored === "response" ? "response" : "chat.completion";
}

export const FINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled", "expired"];

export interface JobRecord {
  id: string;
  kind: JobKind;
  tenantId: string;
  /** The id of the API key that queued the job (null for jobs queued before keys were recorded). */
  keyId: string | null;
  requestId: string;
  model: string | null;
  /** The client asked to stream; the job still runs once and keeps the whole completion. */
  stream: boolean;
  /** The request body as the client sent it (Runestone's routing fields included). */
  body: Record<string, unknown>;
  status: JobStatus;
  attempts: number;
  /** Unix milliseconds. */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** While queued: the deadline to start. Once final: when the record is purged. */
  expiresAt: number;
  result: JobResult | null;
  error: JobError | null;
}

/** Time-ordered ids, so listing and debugging read in creation order. */
export function newJobId(now = Date.now()): string {
  return `job_${now.toString(36).padStart(9, "0")}${randomBytes(8).toString("hex")}`;
}

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

export function toJobView(job: JobRecord, position: number | null): JobView {
  return {
    id: job.id,
    object: "job",
    kind: job.kind,
    status: job.status,
    request_id: job.requestId,
    model: job.model,
    stream: job.stream,
    queue_position: job.status === "queued" ? position : null,
    attempts: job.attempts,
    created_at: seconds(job.createdAt)!,
    started_at: seconds(job.startedAt),
    finished_at: seconds(job.finishedAt),
    expires_at: seconds(job.expiresAt),
    result: job.kind === "chat.completion" ? ((job.result as JobView["result"]) ?? null) : null,
    response: job.kind === "response" ? ((job.result as JobView["response"]) ?? null) : null,
    error: job.error,
  };
}

export const interruptedError = (): JobError => ({
  message: "The job was interrupted by a gateway restart; not retried to avoid running it twice.",
  type: "api_error",
  code: "job_interrupted",
  param: null,
});

export const shutdownError = (): JobError => ({
  message: "The job was interrupted by a gateway shutdown before it finished; not retried to avoid running it twice.",
  type: "api_error",
  code: "job_interrupted",
  param: null,
});

export const expiredError = (maxWaitMs: number): JobError => ({
  message: `The job waited ${Math.round(maxWaitMs / 1000)} s in the queue without being admitted under the tenant's limits; it was not run.`,
  type: "rate_limit_error",
  code: "job_expired",
  param: null,
});

export const keyRevokedError = (): JobError => ({
  message: "The API key that queued this job was revoked before the job started; it was not run.",
  type: "authentication_error",
  code: "key_revoked",
  param: null,
});

export const cancelledError = (): JobError => ({
  message: "The job was cancelled by its tenant.",
  type: "invalid_request_error",
  code: "job_cancelled",
  param: null,
});
