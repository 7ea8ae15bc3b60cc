import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { ResponseObject } from "../types";

/** GET /v1/responses/{response_id} (retrieveResponse): a response the gateway stored for the caller's tenant. */
export async function retrieveResponse(ctx: Context, responseId: string, options?: RequestOptions): Promise<ResponseObject> {
  return unwrap(
    await ctx.send((init) => ctx.http.GET("/v1/responses/{response_id}", { params: { path: { response_id: responseId } }, ...init }), options),
  );
}
