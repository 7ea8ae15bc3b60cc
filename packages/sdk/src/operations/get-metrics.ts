import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";

/** GET /metrics (getMetrics): the Prometheus text exposition. Not retried unless `options.maxRetries` says so. */
export async function getMetrics(ctx: Context, options?: RequestOptions): Promise<string> {
  const result = await ctx.send((init) => ctx.http.GET("/metrics", { parseAs: "text", ...init }), { maxRetries: 0, ...options });
  return unwrap(result) as string;
}
