import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { ApiKey } from "../types";

/** DELETE /v1/admin/keys/{key_id} (revokeApiKey): the key, now revoked. Needs the admin key. */
export async function revokeApiKey(ctx: Context, keyId: string, options?: RequestOptions): Promise<ApiKey> {
  return unwrap(
    await ctx.send((init) => ctx.http.DELETE("/v1/admin/keys/{key_id}", { params: { path: { key_id: keyId } }, ...init }), options),
  );
}
