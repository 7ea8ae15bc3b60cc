// A route plan and what became of it: the candidates the router chose, in order, the attempt that
// answered, and the candidate holding a request while no answer is in. The router makes plans,
// pipeline/execute.ts runs them, telemetry and the routes read what happened. Types only: they name a
// provider, a catalog model and a breaker by their contracts, so every floor from resilience up can share them.
import type { ResilienceConfig } from "../config/schema";
import type { Breaker } from "./breaker";
import type { CatalogModel } from "./catalog-model";
import type { GatewayEvents } from "./gateway-events";
import type { Provider } from "./provider-contract";
import type { RoutingPolicy } from "./routing-policy";

export interface Candidate {
  model: CatalogModel;
  provider: Provider;
  upstreamModel: string;
  /** The deployment's own circuit breaker. */
  breaker: Breaker;
}

export interface RoutePlan {
  policy: RoutingPolicy;
  candidates: Candidate[];
  /** Retry policy, deadline and events used to execute the plan. */
  resilience: ExecutionPolicy;
}

/** What executing a plan needs beyond its candidates: one per gateway (resilience/resilience.ts). */
export interface ExecutionPolicy {
  readonly config: ResilienceConfig;
  readonly events: GatewayEvents;
  /** The overall deadline of one request: no retry wait is started past it. */
  readonly requestTimeoutMs: number;
  readonly now: () => number;
}

export interface Attempt {
  candidate: Candidate;
  /** Milliseconds spent waiting on upstreams (and in retry waits they imposed), for the overhead figure. */
  upstreamMs: number;
  /** How many times the request moved on to another candidate. */
  fallbacks: number;
  /** How many retry rounds were started. */
  retries: number;
}

/**
 * Which candidate holds the request right now (sent, answer not yet in), for accounting a client
 * that goes away before any answer: that provider already has the prompt. Cleared when a try fails.
 */
export interface InFlight {
  candidate?: Candidate;
}
