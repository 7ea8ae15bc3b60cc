import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { Model } from "../types";

/** GET /v1/models/{model} (retrieveModel); an unknown id throws NotFoundError with code `model_not_found`. */
export async function retrieveModel(ctx: Context, model: string, options?: RequestOptions): Promise<Model> {
  return unwrap(
    await ctx.send((init) => ctx.http.GET("/v1/models/{model}", { params: { path: { model } }, ...init }), options),
  );
}
