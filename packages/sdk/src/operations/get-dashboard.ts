import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";

/** GET /dashboard (getDashboard): the operator's page, as HTML (for a browser; fetched here to check it is served). */
export async function getDashboard(ctx: Context, options?: RequestOptions): Promise<string> {
  const result = await ctx.send((init) => ctx.http.GET("/dashboard", { parseAs: "text", ...init }), options);
  return unwrap(result) as string;
}
