// Records the gateway's resilience events (upstream attempts, retries, fallbacks, breaker changes) so
// the fault tests can assert on what happened inside, not only on what the client saw.
import type { GatewayEvents } from "../src/core/gateway-events";

type EventOf<K extends keyof GatewayEvents> = Parameters<NonNullable<GatewayEvents[K]>>[0];

export interface ResilienceEvents {
  attempts: EventOf<"upstreamAttempt">[];
  retries: EventOf<"retry">[];
  fallbacks: EventOf<"fallback">[];
  breakers: EventOf<"breakerStateChanged">[];
  /** The listeners to pass to startGateway({ events }). */
  events: GatewayEvents;
  /** Every state the breaker of one deployment (by upstream model) went through, in order. */
  breakerStates(model: string): Array<EventOf<"breakerStateChanged">["state"]>;
}

export function recordResilienceEvents(): ResilienceEvents {
  const seen: Omit<ResilienceEvents, "events" | "breakerStates"> = { attempts: [], retries: [], fallbacks: [], breakers: [] };
  return {
    ...seen,
    events: {
      upstreamAttempt: (e) => seen.attempts.push(e),
      retry: (e) => seen.retries.push(e),
      fallback: (e) => seen.fallbacks.push(e),
      breakerStateChanged: (e) => seen.breakers.push(e),
    },
    breakerStates: (model) => seen.breakers.filter((b) => b.model === model).map((b) => b.state),
  };
}
