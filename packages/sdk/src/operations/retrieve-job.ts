import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { Job } from "../types";

/** GET /v1/jobs/{job_id} (retrieveJob): a queued job's status, and its completion once it succeeded. */
export async function retrieveJob(ctx: Context, jobId: string, options?: RequestOptions): Promise<Job> {
  return unwrap(
    await ctx.send((init) => ctx.http.GET("/v1/jobs/{job_id}", { params: { path: { job_id: jobId } }, ...init }), options),
  );
}
