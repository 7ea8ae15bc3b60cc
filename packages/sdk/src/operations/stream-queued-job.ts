import type { RequestOptions } from "../client-options";
import { anySignal } from "../core/any-signal";
import type { Context } from "../core/context";
import { completionToChunks } from "../streaming/completion-to-chunks";
import { encodeSSE } from "../streaming/encode-sse";
import { Stream } from "../streaming/stream";
import type { ChatCompletionChunk, ChatCompletionCreateParams, QueuedResponse } from "../types";
import { awaitQueuedJob } from "./await-queued-job";

/** Headers of the 202 that describe the 202 itself, not the answer. */
const NOT_CARRIED = ["content-type", "content-length", "content-encoding", "location", "etag"];

/**
 * The stream of a request that the gateway queued (`202`), for a client created with `waitForQueued`: waits for its
 * job like `create` does (JobError when it ends without a completion), then streams the job's completion as the
 * chunks the gateway would have sent. The Stream behaves as any other: one pass, `[DONE]` at the end, the caller's
 * signal or `abort()` end it. Its `response` is a 200 stand-in carrying the 202's headers and the answer's
 * provider and routing policy; `job` is the job that produced it.
 */
export async function streamQueuedJob(
  ctx: Context,
  queued: QueuedResponse,
  accepted: Response,
  body: ChatCompletionCreateParams,
  options: RequestOptions = {},
): Promise<Stream<ChatCompletionChunk>> {
  const job = await awaitQueuedJob(ctx, queued, options);
  const completion = job.result;
  const chunks = completionToChunks(completion, body.stream_options?.include_usage === true);

  const headers = new Headers(accepted.headers);
  for (const name of NOT_CARRIED) headers.delete(name);
  headers.set("content-type", "text/event-stream; charset=utf-8");
  headers.set("x-request-id", completion.request_id);
  headers.set("x-runestone-provider", completion.provider);
  headers.set("x-runestone-routing-policy", completion.routing_policy);

  const controller = new AbortController();
  const signal = options.signal ? anySignal([options.signal, controller.signal]) : controller.signal;
  const sse = encodeSSE(chunks, signal);
  const response = new Response(null, { status: 200, headers });
  return new Stream<ChatCompletionChunk>(sse, response, controller, options.signal, undefined, job);
}
