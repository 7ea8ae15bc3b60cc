// The headers that say what happened to a request: who served it, how it was routed, and the
// time spent in the gateway itself (upstream wait excluded).
import type { Response } from "express";
import type { Attempt } from "../core/route-plan";
import type { Usage } from "../core/provider-contract";
import { contextOf, type RequestContext } from "../core/request-context";
import type { RoutingPolicy } from "../core/routing-policy";
import { candidatePricing } from "../telemetry/attempt-cost";
import { costUsd } from "../telemetry/usage-cost";

/**
 * `onResponse`: x-request-id and x-runestone-routing-policy are already held for the response with these values
 * (core/held-headers.ts: the chat endpoint holds both before routing's errors can happen), so they are left out:
 * the held ones take their place in the answer's head (the bytes on the wire are the same).
 */
export function routingHeaders(res: Response, attempt: Attempt, policy: RoutingPolicy, ctx: RequestContext = contextOf(res), onResponse = false): Record<string, string> {
  const elapsed = performance.now() - ctx.startedAt;
  const overhead = Math.max(0, elapsed - attempt.upstreamMs);
  const headers: Record<string, string> = onResponse
    ? {
        "x-runestone-provider": attempt.candidate.provider.id,
        "x-runestone-model": attempt.candidate.model.id,
        "x-runestone-fallbacks": String(attempt.fallbacks),
        "x-runestone-overhead-ms": overhead.toFixed(3),
      }
    : {
        "x-request-id": ctx.requestId,
        "x-runestone-provider": attempt.candidate.provider.id,
        "x-runestone-model": attempt.candidate.model.id,
        "x-runestone-routing-policy": policy,
        "x-runestone-fallbacks": String(attempt.fallbacks),
        "x-runestone-overhead-ms": overhead.toFixed(3),
      };
  const cost = costHeader(attempt, ctx.usage);
  if (cost !== undefined) headers["x-runestone-cost"] = cost;
  return headers;
}

/**
 * `x-runestone-cost`: `unknown` for a model without a price; else the cost when the answer's usage is known
 * as the headers go out (a JSON answer), and nothing on a stream (its usage comes at the end).
 */
function costHeader(attempt: Attempt, usage: Partial<Usage> | undefined): string | undefined {
  const pricing = candidatePricing(attempt.candidate);
  if (!pricing) return "unknown";
  if (!usage) return undefined;
  const cost = costUsd(pricing, { promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens ?? 0, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0 });
  // Fixed-point (no exponent), to the billionth of a dollar.
  return cost.toFixed(9).replace(/\.?0+$/, "") || "0";
}

/** What an error answered after a provider was called says of it (http/error-handler.ts): the same names as above. */
export function triedHeaders(attempt: Attempt): Record<string, string> {
  return {
    "x-runestone-provider": attempt.candidate.provider.id,
    "x-runestone-model": attempt.candidate.model.id,
    "x-runestone-fallbacks": String(attempt.fallbacks),
  };
}
