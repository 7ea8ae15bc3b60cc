import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { Job } from "../types";

/** DELETE /v1/jobs/{job_id} (cancelJob): the job, now `cancelled`; ConflictError if it had already ended. */
export async function cancelJob(ctx: Context, jobId: string, options?: RequestOptions): Promise<Job> {
  return unwrap(
    await ctx.send(
      (init) => ctx.http.DELETE("/v1/jobs/{job_id}", { params: { path: { job_id: jobId } }, ...init }),
      // Not retried by default: a retry after a lost answer would meet 409 for a job this call did cancel.
      { maxRetries: 0, ...options },
    ),
  );
}
