// GET and DELETE /v1/jobs/{job_id}: a queued job's status and result, and cancelling it. The keys of
// the job's tenant and the key that queued it (also when it acted for another tenant) may see it; to
// anyone else it is indistinguishable from a missing one (404), so ids leak nothing. These routes
// take no admission: polling never counts against the tenant's limits.
import { Router as ExpressRouter, type Response } from "express";
import type { JobCaller, JobQueue } from "../../jobs/job-queue";
import { toJobView } from "../../jobs/job-record";
import { contextOf } from "../../core/request-context";
import { HttpError } from "../../core/http-error";

export function jobRoutes(jobs: JobQueue | undefined): ExpressRouter {
  const r = ExpressRouter();
  const notFound = (id: string) =>
    new HttpError({ status: 404, type: "not_found_error", code: "job_not_found", param: "job_id", message: `No job ${id} was found for this API key's tenant.` });
  const callerOf = (res: Response): JobCaller => {
    const ctx = contextOf(res);
    return { tenantId: ctx.tenant!.id, keyId: ctx.principal?.keyId || undefined };
  };

  r.get("/v1/jobs/:job_id", async (req, res) => {
    const id = req.params.job_id as string;
    const found = await jobs?.get(callerOf(res), id);
    if (!found) throw notFound(id);
    res.json(toJobView(found.job, found.position));
  });

  r.delete("/v1/jobs/:job_id", async (req, res) => {
    const id = req.params.job_id as string;
    const result = jobs ? await jobs.cancel(callerOf(res), id) : ({ outcome: "not_found" } as const);
    if (result.outcome === "not_found") throw notFound(id);
    if (result.outcome === "final") {
      throw new HttpError({
        status: 409,
        type: "invalid_request_error",
        code: "job_not_cancellable",
        param: "job_id",
        message: `The job has already ${result.job.status === "cancelled" ? "been cancelled" : result.job.status}; only queued or running jobs can be cancelled.`,
      });
    }
    res.json(toJobView(result.job, null));
  });
  return r;
}
