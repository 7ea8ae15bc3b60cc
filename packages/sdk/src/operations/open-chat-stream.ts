import type { Middleware } from "openapi-fetch";
import type { RequestOptions } from "../client-options";
import { anySignal } from "../core/any-signal";
import type { Context } from "../core/context";
import { makeError } from "../errors/make-error";
import { QueuedError } from "../errors/queued-error";
import { RunestoneError } from "../errors/runestone-error";
import { isQueued } from "../is-queued";
import { Stream } from "../streaming/stream";
import type { ChatCompletionChunk, ChatCompletionCreateParams } from "../types";
import { streamQueuedJob } from "./stream-queued-job";

/**
 * This client reads a stream's 202 (QueuedError, or waitForQueued), so it asks for the tenant's own overflow mode,
 * which the gateway applies to a stream only when asked (a stock SDK would read the 202 as an empty stream). An
 * `x-runestone-overflow` the caller set, on the client or the call, is left as it is. Runs before the retry
 * middleware, which snapshots the request.
 */
const askTenantOverflow: Middleware = {
  onRequest({ request }) {
    if (!request.headers.has("x-runestone-overflow")) request.headers.set("x-runestone-overflow", "tenant");
    return request;
  },
};

export interface OpenStreamOptions {
  /** On `202` (queued), wait for the job and replay its completion as a stream instead of throwing QueuedError. */
  waitForQueued?: boolean | undefined;
}

/**
 * The shared half of the two streaming operations: sends the request with its own AbortController (so that
 * leaving the loop can abort it) and wraps the 200 body in a Stream. Errors before the first byte are HTTP errors.
 * A `202` (the gateway queued the request) is waited for under `waitForQueued`, else thrown as QueuedError.
 */
export async function openChatStream(
  ctx: Context,
  path: "/v1/chat/completions" | "/v1/chat/stream",
  body: ChatCompletionCreateParams,
  options: RequestOptions = {},
  open: OpenStreamOptions = {},
): Promise<Stream<ChatCompletionChunk>> {
  const controller = new AbortController();
  const signal = options.signal ? anySignal([options.signal, controller.signal]) : controller.signal;
  const { data, error, response } = await ctx.send(
    (init) => ctx.http.POST(path, { body: { ...body, stream: true }, parseAs: "stream", ...init, middleware: [askTenantOverflow, ...init.middleware] }),
    { ...options, signal },
  );
  if (!response.ok) throw makeError(response.status, error, response.headers);
  if (response.status === 202) {
    const queued: unknown = await new Response(data).json().catch(() => undefined);
    if (!queued || typeof queued !== "object" || !isQueued(queued)) {
      throw new RunestoneError("202 The request was queued, but the answer does not say as which job.", {
        status: 202,
        headers: response.headers,
      });
    }
    if (!open.waitForQueued) throw new QueuedError(queued, response.headers);
    return streamQueuedJob(ctx, queued, response, body, options);
  }
  if (!data) throw makeError(response.status, "the stream response has no body", response.headers);
  return new Stream<ChatCompletionChunk>(data, response, controller, options.signal);
}
