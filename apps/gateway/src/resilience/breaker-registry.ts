// One circuit breaker per deployment, created on first use and reported in /health.
import type { GatewayEvents } from "../telemetry/gateway-events";
import { CircuitBreaker, type BreakerConfig } from "./circuit-breaker";

export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly cfg: BreakerConfig,
    private readonly events: GatewayEvents = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** The breaker of a deployment: provider id and the upstream's model name. */
  get(provider: string, model: string): CircuitBreaker {
    const key = `${provider}\u0000${model}`;
    let b = this.breakers.get(key);
    if (!b) {
      b = new CircuitBreaker(provider, model, this.cfg, (br, state) => this.events.breakerStateChanged?.({ provider: br.provider, model: br.model, state }), this.now);
      this.breakers.set(key, b);
    }
    return b;
  }

  all(): CircuitBreaker[] {
    return [...this.breakers.values()];
  }
}
