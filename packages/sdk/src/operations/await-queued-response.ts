import type { Context } from "../core/context";
import type { QueuedResponse, ResponseObject } from "../types";
import { awaitQueuedJob } from "./await-queued-job";
import type { WaitOptions } from "./wait-for-job";

/**
 * The `response` of a Responses API request that was queued (`202`): waits for its job and returns the job's
 * `response`, or throws JobError when the job ended without one. Used by `responses.create` under `waitForQueued`.
 */
export async function awaitQueuedResponse(ctx: Context, queued: QueuedResponse, options?: WaitOptions): Promise<ResponseObject> {
  return (await awaitQueuedJob(ctx, queued, options, "response")).response;
}
