import type { RequestOptions } from "../client-options";
import { anySignal } from "../core/any-signal";
import type { Context } from "../core/context";
import { makeError } from "../errors/make-error";
import { Stream } from "../streaming/stream";
import type { ResponseCreateParams, ResponseStreamEvent } from "../types";

/** The events that end a Responses API stream (the Responses API sends no `data: [DONE]`). */
export const RESPONSE_STREAM_ENDS = ["response.completed", "response.incomplete", "response.failed"] as const;

/**
 * POST /v1/responses with `"stream": true` (createResponse, streamed): the Responses API's events, from
 * `response.created` to `response.completed`, `response.incomplete` or `response.failed` (yielded, then the stream
 * ends). An `error` event throws StreamError; an end before one of those events too.
 */
export async function streamResponse(
  ctx: Context,
  body: ResponseCreateParams,
  options: RequestOptions = {},
): Promise<Stream<ResponseStreamEvent>> {
  const controller = new AbortController();
  const signal = options.signal ? anySignal([options.signal, controller.signal]) : controller.signal;
  const { data, error, response } = await ctx.send(
    (init) => ctx.http.POST("/v1/responses", { body: { ...body, stream: true }, parseAs: "stream", ...init }),
    { ...options, signal },
  );
  if (!response.ok) throw makeError(response.status, error, response.headers);
  if (!data) throw makeError(response.status, "the stream response has no body", response.headers);
  return new Stream<ResponseStreamEvent>(data, response, controller, options.signal, RESPONSE_STREAM_ENDS);
}
