import type { QueuedResponse } from "./types";

/** Whether `chat.completions.create` answered `202 Accepted`: the request was queued, not answered yet. */
export function isQueued(result: object): result is QueuedResponse {
  return "job_id" in result && typeof (result as { job_id: unknown }).job_id === "string" && !("choices" in result);
}
