import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { HealthResponse } from "../types";

/**
 * GET /health (getHealth). `503 unhealthy` is an answer, not a failure: its body is returned like a `200`'s.
 * Not retried unless `options.maxRetries` says so, so that the answer reflects the moment of the call.
 */
export async function getHealth(ctx: Context, options?: RequestOptions): Promise<HealthResponse> {
  const result = await ctx.send((init) => ctx.http.GET("/health", init), { maxRetries: 0, ...options });
  if (result.response.status === 503 && isHealthBody(result.error)) return result.error;
  return unwrap(result);
}

function isHealthBody(body: unknown): body is HealthResponse {
  return typeof body === "object" && body !== null && "status" in body && "components" in body;
}
