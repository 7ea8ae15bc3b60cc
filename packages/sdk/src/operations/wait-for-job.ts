import type { RequestOptions } from "../client-options";
import type { Context } from "../core/context";
import { sleep } from "../core/sleep";
import { APIConnectionTimeoutError } from "../errors/api-connection-timeout-error";
import { APIUserAbortError } from "../errors/api-user-abort-error";
import type { Job } from "../types";
import { retrieveJob } from "./retrieve-job";

export interface WaitOptions extends RequestOptions {
  /** The first wait between polls, in milliseconds (default 250); each next wait is 1.5 times longer. */
  pollInterval?: number | undefined;
  /** The longest wait between polls, in milliseconds (default 5 000). */
  maxPollInterval?: number | undefined;
  /** Give up after this many milliseconds in all (APIConnectionTimeoutError). Default: no limit of its own. */
  waitTimeout?: number | undefined;
}

const FINAL = new Set(["succeeded", "failed", "cancelled", "expired"]);

/**
 * Polls GET /v1/jobs/{job_id} with backoff until the job is final (`succeeded`, `failed`, `cancelled` or
 * `expired`) and returns it. Polling does not count against the tenant's limits. `signal` stops the wait.
 */
export async function waitForJob(ctx: Context, jobId: string, options: WaitOptions = {}): Promise<Job> {
  const { pollInterval = 250, maxPollInterval = 5_000, waitTimeout, ...request } = options;
  const deadline = waitTimeout === undefined ? Infinity : Date.now() + waitTimeout;
  let delay = pollInterval;
  for (;;) {
    const job = await retrieveJob(ctx, jobId, request);
    if (FINAL.has(job.status)) return job;
    const left = deadline - Date.now();
    if (left <= 0) throw new APIConnectionTimeoutError(`Job ${jobId} was still ${job.status} after ${waitTimeout} ms.`);
    try {
      await sleep(Math.min(delay, left), request.signal);
    } catch (cause) {
      throw new APIUserAbortError(undefined, { cause });
    }
    delay = Math.min(delay * 1.5, maxPollInterval);
  }
}
