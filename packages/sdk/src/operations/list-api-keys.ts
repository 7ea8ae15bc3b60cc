import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { ApiKeyList, ApiKeyListQuery } from "../types";

/** GET /v1/admin/keys (listApiKeys): the keys created through the admin API, without secrets. Needs the admin key. */
export async function listApiKeys(ctx: Context, query?: ApiKeyListQuery, options?: RequestOptions): Promise<ApiKeyList> {
  return unwrap(await ctx.send((init) => ctx.http.GET("/v1/admin/keys", { params: { query }, ...init }), options));
}
