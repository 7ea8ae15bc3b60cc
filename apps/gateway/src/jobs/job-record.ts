// A queued chat job as the stores keep it, and its public view (the spec's Job). A job holds the
// tenant id, the request id and the body the client sent: never an API key or any other secret.
import { randomBytes } from "node:crypto";
import type { Schema } from "@runestone/contract";
import type { ChatCompletion } from "../core/provider-contract";

export type JobStatus = Schema<"JobStatus">;
export type JobError = Schema<"ErrorObject">;

export const FINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled", "expired"];

export interface JobRecord {
  id: string;
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
  result: ChatCompletion | null;
  error: JobError | null;
}

export type JobView = Schema<"Job">;

/** Time-ordered ids, so listing and debugging read in creation order. */
export function newJobId(now = Date.now()): string {
  return `job_${now.toString(36).padStart(9, "0")}${randomBytes(8).toString("hex")}`;
}

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

export function toJobView(job: JobRecord, position: number | null): JobView {
  return {
    id: job.id,
    object: "job",
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
    result: (job.result as JobView["result"]) ?? null,
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
