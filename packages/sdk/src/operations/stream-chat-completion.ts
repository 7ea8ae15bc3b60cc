import type { RequestOptions } from "../client-options";
import type { Context } from "../core/context";
import type { Stream } from "../streaming/stream";
import type { ChatCompletionChunk, ChatCompletionCreateParams } from "../types";
import { openChatStream, type OpenStreamOptions } from "./open-chat-stream";

/** POST /v1/chat/completions with `"stream": true` (createChatCompletion, streamed). */
export function streamChatCompletion(
  ctx: Context,
  body: ChatCompletionCreateParams,
  options?: RequestOptions,
  open?: OpenStreamOptions,
): Promise<Stream<ChatCompletionChunk>> {
  return openChatStream(ctx, "/v1/chat/completions", body, options, open);
}
