import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { DashboardSummary } from "../types";

/** GET /dashboard/summary (getDashboardSummary): the last hour of traffic, deployments and the queue. */
export async function getDashboardSummary(ctx: Context, options?: RequestOptions): Promise<DashboardSummary> {
  return unwrap(await ctx.send((init) => ctx.http.GET("/dashboard/summary", init), options));
}
