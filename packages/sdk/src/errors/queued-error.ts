import type { QueuedResponse } from "../types";
import { RunestoneError } from "./runestone-error";

/**
 * A call was answered `202`: the gateway queued the request as a job instead of answering it now (a stream, or
 * `responses.create`), and the client was not created with `waitForQueued: true`. The job still runs; `jobId` (and
 * `queued`, the 202's body) let you fetch its answer with `jobs.wait(jobId)`.
 */
export class QueuedError extends RunestoneError {
  override name = "QueuedError";
  /** The 202's body: the job id, the request id, the estimated wait and where to poll. */
  readonly queued: QueuedResponse;

  /** `what`: the call that was answered 202, a stream (default) or `responses.create` (`"response"`). */
  constructor(queued: QueuedResponse, headers: Headers, what: "stream" | "response" = "stream") {
    const poll = `jobs.wait("${queued.job_id}") (GET ${queued.status_url ?? `/v1/jobs/${queued.job_id}`})`;
    super(
      what === "response"
        ? `202 The request was queued as job ${queued.job_id} (the tenant's limits are full), so there is no response ` +
            `yet. Fetch it as the job's \`response\` with ${poll}, or create the client with waitForQueued: true to ` +
            "have responses.create() wait for the job and return its response."
        : `202 The request was queued as job ${queued.job_id} (the tenant's limits are full), so there is no stream to ` +
            `read yet. Fetch its completion with ${poll}, ` +
            "or create the client with waitForQueued: true to have stream() wait for the job and stream its result.",
      { status: 202, headers, requestId: queued.request_id },
    );
    this.queued = queued;
  }

  /** The queued job's id. */
  get jobId(): string {
    return this.queued.job_id;
  }
}
