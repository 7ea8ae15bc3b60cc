import type { Context } from "../core/context";
import { JobError } from "../errors/job-error";
import type { ChatCompletion, QueuedResponse } from "../types";
import { waitForJob, type WaitOptions } from "./wait-for-job";

/**
 * The completion of a request that was queued (`202`): waits for its job and returns the job's result, or throws
 * JobError when the job ended without one. Used by chat calls when the client was created with `waitForQueued`.
 */
export async function awaitQueuedCompletion(ctx: Context, queued: QueuedResponse, options?: WaitOptions): Promise<ChatCompletion> {
  const job = await waitForJob(ctx, queued.job_id, options);
  if (job.status === "succeeded" && job.result) return job.result;
  const reason = job.error?.message ?? "no reason given";
  throw new JobError(`Job ${job.id} ended ${job.status}: ${reason}`, job);
}
