import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { ReadinessResponse } from "../types";

/**
 * GET /health/ready (getReadiness). `503` (not ready, draining) returns its body with `ready: false` rather than
 * throwing. Not retried unless `options.maxRetries` says so.
 */
export async function getReadiness(ctx: Context, options?: RequestOptions): Promise<ReadinessResponse> {
  const result = await ctx.send((init) => ctx.http.GET("/health/ready", init), { maxRetries: 0, ...options });
  if (result.response.status === 503 && isReadinessBody(result.error)) return result.error;
  return unwrap(result);
}

function isReadinessBody(body: unknown): body is ReadinessResponse {
  return typeof body === "object" && body !== null && "ready" in body;
}
