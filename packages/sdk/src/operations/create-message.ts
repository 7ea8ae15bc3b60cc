import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { Message, MessageCreateParams } from "../types";

/** A non-streamed Messages request: `stream` may only be absent or false here (use `messages.stream()`). */
export type MessageCreateParamsNonStreaming = MessageCreateParams & { stream?: false | null };

/** POST /v1/messages (createMessage): Anthropic's Messages API, for every model of the catalog. */
export async function createMessage(
  ctx: Context,
  body: MessageCreateParamsNonStreaming,
  options?: RequestOptions,
): Promise<Message> {
  return unwrap(await ctx.send((init) => ctx.http.POST("/v1/messages", { body, ...init }), options));
}
