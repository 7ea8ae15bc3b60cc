import type { RequestOptions } from "../client-options";
import { anySignal } from "../core/any-signal";
import type { Context } from "../core/context";
import { makeError } from "../errors/make-error";
import { RunestoneError } from "../errors/runestone-error";
import { Stream } from "../streaming/stream";
import type { ChatCompletionChunk, ChatCompletionCreateParams } from "../types";

/**
 * The shared half of the two streaming operations: sends the request with its own AbortController (so that
 * leaving the loop can abort it) and wraps the 200 body in a Stream. Errors before the first byte are HTTP errors.
 */
export async function openChatStream(
  ctx: Context,
  path: "/v1/chat/completions" | "/v1/chat/stream",
  body: ChatCompletionCreateParams,
  options: RequestOptions = {},
): Promise<Stream<ChatCompletionChunk>> {
  const controller = new AbortController();
  const signal = options.signal ? anySignal([options.signal, controller.signal]) : controller.signal;
  const { data, error, response } = await ctx.send(
    (init) => ctx.http.POST(path, { body: { ...body, stream: true }, parseAs: "stream", ...init }),
    { ...options, signal },
  );
  if (!response.ok) throw makeError(response.status, error, response.headers);
  if (response.status === 202) {
    const queued = (await new Response(data).json().catch(() => undefined)) as { job_id?: string } | undefined;
    throw new RunestoneError(
      `202 The request was queued as job ${queued?.job_id ?? "(unknown)"}; streams cannot be resumed from a job yet.`,
      { status: 202, headers: response.headers },
    );
  }
  if (!data) throw makeError(response.status, "the stream response has no body", response.headers);
  return new Stream<ChatCompletionChunk>(data, response, controller, options.signal);
}
