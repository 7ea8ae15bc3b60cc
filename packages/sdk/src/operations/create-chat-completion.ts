import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { ChatCompletion, ChatCompletionCreateParams, QueuedResponse } from "../types";

/** A non-streamed chat request: `stream` may only be absent or false here (use `stream()` for streams). */
export type ChatCompletionCreateParamsNonStreaming = ChatCompletionCreateParams & { stream?: false | null };
/** A streamed chat request, as `create()` accepts it too (it then returns the stream, as openai-node does). */
export type ChatCompletionCreateParamsStreaming = ChatCompletionCreateParams & { stream: true };

/** POST /v1/chat/completions (createChatCompletion): the completion, or the queued job on `202` (see `isQueued`). */
export async function createChatCompletion(
  ctx: Context,
  body: ChatCompletionCreateParamsNonStreaming,
  options?: RequestOptions,
): Promise<ChatCompletion | QueuedResponse> {
  return unwrap(await ctx.send((init) => ctx.http.POST("/v1/chat/completions", { body, ...init }), options));
}
