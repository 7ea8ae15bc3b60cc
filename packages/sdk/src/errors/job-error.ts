import type { Job } from "../types";
import { RunestoneError, type RunestoneErrorInit } from "./runestone-error";

/**
 * A queued request did not produce a completion: its job ended `failed`, `cancelled` or `expired` (thrown by chat
 * calls under `waitForQueued`). `error` is the job's error and `job` the whole job.
 */
export class JobError extends RunestoneError {
  override name = "JobError";
  readonly job: Job;

  constructor(message: string, job: Job, init: RunestoneErrorInit = {}) {
    super(message, { requestId: job.request_id, ...init, error: job.error ?? undefined });
    this.job = job;
  }
}
