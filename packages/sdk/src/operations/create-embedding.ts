import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { CreateEmbeddingResponse, EmbeddingCreateParams } from "../types";

/** POST /v1/embeddings (createEmbedding): one embedding per input, in input order. */
export async function createEmbedding(
  ctx: Context,
  body: EmbeddingCreateParams,
  options?: RequestOptions,
): Promise<CreateEmbeddingResponse> {
  return unwrap(await ctx.send((init) => ctx.http.POST("/v1/embeddings", { body, ...init }), options));
}
