import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { MessageCountTokensParams, MessageTokensCount } from "../types";

/**
 * POST /v1/messages/count_tokens (countMessageTokens): the input tokens of a Messages request, exact for Anthropic
 * models (their upstream counts), the gateway's estimate for the others.
 */
export async function countMessageTokens(ctx: Context, body: MessageCountTokensParams, options?: RequestOptions): Promise<MessageTokensCount> {
  return unwrap(await ctx.send((init) => ctx.http.POST("/v1/messages/count_tokens", { body, ...init }), options));
}
