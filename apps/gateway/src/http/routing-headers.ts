// The headers that say what happened to a request: who served it, how it was routed, and the
// time spent in the gateway itself (upstream wait excluded).
import type { Response } from "express";
import type { Attempt } from "../resilience/execute";
import type { RoutingPolicy } from "../routing/router";

export function routingHeaders(res: Response, attempt: Attempt, policy: RoutingPolicy): Record<string, string> {
  const elapsed = performance.now() - (res.locals.startedAt as number);
  const overhead = Math.max(0, elapsed - attempt.upstreamMs);
  return {
    "x-request-id": res.locals.requestId as string,
    "x-runestone-provider": attempt.candidate.provider.id,
    "x-runestone-model": attempt.candidate.model.id,
    "x-runestone-routing-policy": policy,
    "x-runestone-fallbacks": String(attempt.fallbacks),
    "x-runestone-overhead-ms": overhead.toFixed(3),
  };
}
