import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { ApiKeyCreateParams, CreatedApiKey } from "../types";

/** POST /v1/admin/keys (createApiKey): a new key, with its secret (shown once). Needs the admin key. */
export async function createApiKey(
  ctx: Context,
  body: ApiKeyCreateParams,
  options?: RequestOptions,
): Promise<CreatedApiKey> {
  // Not retried by default: a retry after a lost answer would create a second key.
  return unwrap(await ctx.send((init) => ctx.http.POST("/v1/admin/keys", { body, ...init }), { maxRetries: 0, ...options }));
}
