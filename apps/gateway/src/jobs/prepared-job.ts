// What the queue's runner needs of a job, whatever endpoint queued it: what admission reserves for it, and
// one non-streaming run over its candidates. Chat jobs are prepared in this folder (chat-job.ts); Responses
// jobs by endpoints/responses/, a floor above, handed to the runner by whoever wires the queue (app.ts).
import type { Usage } from "../core/provider-contract";
import type { Attempt, Candidate } from "../core/route-plan";
import type { Tenant } from "../core/tenant";
import type { JobRecord, JobResult } from "./job-record";

export interface PreparedJob {
  /** The route plan's deployments: their prices set a budget's reservation. */
  candidates: readonly Candidate[];
  promptTokens: number;
  /** Prompt plus output cap: what the token limit reserves. */
  tokens: number;
  /** Runs the request once, as a direct one would be run (routing, retries, fallbacks, breakers). */
  run(signal: AbortSignal): Promise<JobAnswer>;
}

export interface JobAnswer {
  result: JobResult;
  attempt: Attempt;
  /** Chat-shaped usage for accounting: the provider's report, or the estimate when it sent none. */
  usage: Usage;
  estimated: boolean;
}

/** Prepares a job for its tenant as it is now; throws what the same request would have failed with directly. */
export type JobPreparer = (job: JobRecord, tenant: Tenant) => Promise<PreparedJob>;
