import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { ResponseCreateParams, ResponseObject } from "../types";

/** A non-streamed Responses API request: `stream` may only be absent or false here (use `responses.stream()`). */
export type ResponseCreateParamsNonStreaming = ResponseCreateParams & { stream?: false | null };
/** A streamed Responses API request. */
export type ResponseCreateParamsStreaming = ResponseCreateParams & { stream: true };

/** POST /v1/responses (createResponse): OpenAI's Responses API, for every model of the catalog. */
export async function createResponse(
  ctx: Context,
  body: ResponseCreateParamsNonStreaming,
  options?: RequestOptions,
): Promise<ResponseObject> {
  return unwrap(await ctx.send((init) => ctx.http.POST("/v1/responses", { body, ...init }), options));
}
