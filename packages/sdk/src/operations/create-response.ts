import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import { QueuedError } from "../errors/queued-error";
import { isQueued } from "../is-queued";
import type { ResponseCreateParams, ResponseObject } from "../types";
import { awaitQueuedResponse } from "./await-queued-response";

/** A non-streamed Responses API request: `stream` may only be absent or false here (use `responses.stream()`). */
export type ResponseCreateParamsNonStreaming = ResponseCreateParams & { stream?: false | null };
/** A streamed Responses API request. */
export type ResponseCreateParamsStreaming = ResponseCreateParams & { stream: true };

/**
 * POST /v1/responses (createResponse): OpenAI's Responses API, for every model of the catalog. A request the
 * gateway queued (`202`) is waited for under `waitForQueued` (its job's `response`); otherwise it throws
 * QueuedError naming the job, so the call still resolves to a response or nothing.
 */
export async function createResponse(
  ctx: Context,
  body: ResponseCreateParamsNonStreaming,
  options?: RequestOptions,
  open: { waitForQueued?: boolean | undefined } = {},
): Promise<ResponseObject> {
  const sent = await ctx.send((init) => ctx.http.POST("/v1/responses", { body, ...init }), options);
  const result = unwrap(sent);
  if (!isQueued(result)) return result;
  if (open.waitForQueued) return awaitQueuedResponse(ctx, result, options);
  throw new QueuedError(result, sent.response.headers, "response");
}
