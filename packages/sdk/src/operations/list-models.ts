import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { ModelList } from "../types";

/** GET /v1/models (listModels). */
export async function listModels(ctx: Context, options?: RequestOptions): Promise<ModelList> {
  return unwrap(await ctx.send((init) => ctx.http.GET("/v1/models", init), options));
}
