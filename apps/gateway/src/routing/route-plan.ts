// A route plan and what became of it: the candidates the router chose, in order, the attempt that
// answered, and the candidate holding a request while no answer is in. The router makes plans,
// pipeline/execute.ts runs them, telemetry and the routes read what happened.
import type { RoutingPolicy } from "../core/routing-policy";
import type { Provider } from "../providers/types";
import type { CircuitBreaker } from "../resilience/circuit-breaker";
import type { Resilience } from "../resilience/resilience";
import type { CatalogModel } from "./catalog";

export interface Candidate {
  model: CatalogModel;
  provider: Provider;
  upstreamModel: string;
  /** The deployment's own circuit breaker. */
  breaker: CircuitBreaker;
}

export interface RoutePlan {
  policy: RoutingPolicy;
  candidates: Candidate[];
  /** Retry policy, breakers, deadline and events used to execute the plan. */
  resilience: Resilience;
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
