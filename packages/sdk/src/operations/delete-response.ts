import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { DeletedResponse } from "../types";

/** DELETE /v1/responses/{response_id} (deleteResponse): `{ id, object: "response", deleted: true }`; NotFoundError if it was not stored. */
export async function deleteResponse(ctx: Context, responseId: string, options?: RequestOptions): Promise<DeletedResponse> {
  return unwrap(
    await ctx.send(
      (init) => ctx.http.DELETE("/v1/responses/{response_id}", { params: { path: { response_id: responseId } }, ...init }),
      // Not retried by default: a retry after a lost answer would meet 404 for a response this call did delete.
      { maxRetries: 0, ...options },
    ),
  );
}
