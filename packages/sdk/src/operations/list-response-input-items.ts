import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { ResponseInputItemList, ResponseInputItemListQuery } from "../types";

/** GET /v1/responses/{response_id}/input_items (listResponseInputItems): a page of the conversation a stored response answered. */
export async function listResponseInputItems(
  ctx: Context,
  responseId: string,
  query?: ResponseInputItemListQuery,
  options?: RequestOptions,
): Promise<ResponseInputItemList> {
  return unwrap(
    await ctx.send(
      (init) => ctx.http.GET("/v1/responses/{response_id}/input_items", { params: { path: { response_id: responseId }, query }, ...init }),
      options,
    ),
  );
}
