import type { Context } from "../core/context";
import { APIConnectionTimeoutError } from "../errors/api-connection-timeout-error";
import { APIUserAbortError } from "../errors/api-user-abort-error";
import { JobError } from "../errors/job-error";
import type { ChatCompletion, Job, QueuedResponse, ResponseObject } from "../types";
import { cancelJob } from "./cancel-job";
import { waitForJob, type WaitOptions } from "./wait-for-job";

/** A job that succeeded, with its completion (a chat job) or its `response` (a Responses API job). */
export type SucceededJob = Job & { status: "succeeded"; result: ChatCompletion };
export type SucceededResponseJob = Job & { status: "succeeded"; response: ResponseObject };

/**
 * Waits (`jobs.wait`) for the job of a request that was queued (`202`) and returns it once it succeeded; throws
 * JobError when it ended `failed`, `cancelled` or `expired`. The whole wait is bounded by `waitTimeout`, else by the
 * call's `timeout` (a queued answer's headers are, in effect, its job's end). When the caller's signal fires or the
 * wait times out, nobody will read the result: the job is cancelled (without waiting for the gateway's answer), as
 * a direct request is aborted upstream when its client goes away.
 */
export async function awaitQueuedJob(ctx: Context, queued: QueuedResponse, options?: WaitOptions, kind?: "chat.completion"): Promise<SucceededJob>;
export async function awaitQueuedJob(ctx: Context, queued: QueuedResponse, options: WaitOptions | undefined, kind: "response"): Promise<SucceededResponseJob>;
export async function awaitQueuedJob(ctx: Context, queued: QueuedResponse, options: WaitOptions = {}, kind: Job["kind"] = "chat.completion"): Promise<SucceededJob | SucceededResponseJob> {
  const waitTimeout = options.waitTimeout ?? options.timeout ?? ctx.timeout;
  const started = Date.now();
  let job: Job;
  try {
    job = await waitForJob(ctx, queued.job_id, { ...options, waitTimeout });
  } catch (error) {
    // Only the caller giving up (its signal, or the whole wait's bound) cancels the job; one poll that
    // failed after its retries leaves the job running, for jobs.wait to pick up.
    const gaveUp = error instanceof APIUserAbortError || (error instanceof APIConnectionTimeoutError && Date.now() - started >= waitTimeout);
    if (!gaveUp) {
      if (error instanceof Error) error.message = `${error.message} The request's queued job ${queued.job_id} keeps running: fetch it with jobs.wait("${queued.job_id}").`;
      throw error;
    }
    cancelJob(ctx, queued.job_id, { headers: options.headers, timeout: 10_000 }).catch(() => undefined);
    const message = `${error.message} The request's queued job ${queued.job_id} is being cancelled.`;
    throw error instanceof APIUserAbortError
      ? new APIUserAbortError(message, { cause: error.cause ?? error })
      : new APIConnectionTimeoutError(message, { cause: error });
  }
  // The answer is where the job's kind puts it: a chat completion in `result`, a Responses API response in `response`.
  if (job.status === "succeeded" && kind === "response" && job.response) return job as SucceededResponseJob;
  if (job.status === "succeeded" && kind === "chat.completion" && job.result) return job as SucceededJob;
  const reason = job.error?.message ?? "no reason given";
  throw new JobError(`Job ${job.id} ended ${job.status}: ${reason}`, job);
}
