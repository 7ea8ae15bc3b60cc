import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { DashboardUsage } from "../types";

/** GET /dashboard/usage (getDashboardUsage): every tenant's tokens and cost per day and model, last 14 days. */
export async function getDashboardUsage(ctx: Context, options?: RequestOptions): Promise<DashboardUsage> {
  return unwrap(await ctx.send((init) => ctx.http.GET("/dashboard/usage", init), options));
}
