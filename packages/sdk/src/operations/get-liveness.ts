import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { LivenessResponse } from "../types";

/** GET /health/live (getLiveness). Not retried unless `options.maxRetries` says so. */
export async function getLiveness(ctx: Context, options?: RequestOptions): Promise<LivenessResponse> {
  return unwrap(await ctx.send((init) => ctx.http.GET("/health/live", init), { maxRetries: 0, ...options }));
}
