import type { RequestOptions } from "../client-options";
import { anySignal } from "../core/any-signal";
import type { Context } from "../core/context";
import { makeError } from "../errors/make-error";
import { Stream } from "../streaming/stream";
import type { MessageCreateParams, MessageStreamEvent } from "../types";

/**
 * POST /v1/messages with `"stream": true` (createMessage, streamed): Anthropic's events, from `message_start` to
 * `message_stop`. An `event: error` throws StreamError; an end before `message_stop` too.
 */
export async function streamMessage(
  ctx: Context,
  body: MessageCreateParams,
  options: RequestOptions = {},
): Promise<Stream<MessageStreamEvent>> {
  const controller = new AbortController();
  const signal = options.signal ? anySignal([options.signal, controller.signal]) : controller.signal;
  const { data, error, response } = await ctx.send(
    (init) => ctx.http.POST("/v1/messages", { body: { ...body, stream: true }, parseAs: "stream", ...init }),
    { ...options, signal },
  );
  if (!response.ok) throw makeError(response.status, error, response.headers);
  if (!data) throw makeError(response.status, "the stream response has no body", response.headers);
  return new Stream<MessageStreamEvent>(data, response, controller, options.signal, "message_stop");
}
