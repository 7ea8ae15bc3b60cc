import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { UsageQuery, UsageReport } from "../types";

/** GET /v1/usage (getUsage): tokens and cost per day, model, label and tenant. */
export async function getUsage(ctx: Context, query?: UsageQuery, options?: RequestOptions): Promise<UsageReport> {
  return unwrap(await ctx.send((init) => ctx.http.GET("/v1/usage", { params: { query }, ...init }), options));
}
