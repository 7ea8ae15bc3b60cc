import type { Context } from "../core/context";
import type { ChatCompletion, QueuedResponse } from "../types";
import { awaitQueuedJob } from "./await-queued-job";
import type { WaitOptions } from "./wait-for-job";

/**
 * The completion of a request that was queued (`202`): waits for its job and returns the job's result, or throws
 * JobError when the job ended without one. Used by chat calls when the client was created with `waitForQueued`.
 */
export async function awaitQueuedCompletion(ctx: Context, queued: QueuedResponse, options?: WaitOptions): Promise<ChatCompletion> {
  return (await awaitQueuedJob(ctx, queued, options)).result;
}
