// One circuit breaker per deployment, created on first use and reported in /health. With peers
// (Redis mode), openings are shared between instances (see breaker-peers.ts).
import type { GatewayEvents } from "../core/gateway-events";
import type { BreakerPeers } from "./breaker-peers";
import { CircuitBreaker, type BreakerConfig } from "./circuit-breaker";

export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private peers?: BreakerPeers;

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
      b = new CircuitBreaker(provider, model, this.cfg, (br, state) => this.changed(br, state), this.now);
      this.breakers.set(key, b);
    }
    return b;
  }

  /**
   * Shares openings with the other instances. Only deployments this instance knows are opened on a
   * peer's word, so a stray message cannot grow the registry.
   */
  share(peers: BreakerPeers): void {
    this.peers = peers;
    peers.listen((provider, model, ms) => this.breakers.get(`${provider}\u0000${model}`)?.openFromPeer(ms));
  }

  private changed(b: CircuitBreaker, state: CircuitBreaker["state"]): void {
    this.events.breakerStateChanged?.({ provider: b.provider, model: b.model, state });
    if (state === "open" && b.openingToShare) this.peers?.announce(b.provider, b.model, b.retryInMs());
  }

  all(): CircuitBreaker[] {
    return [...this.breakers.values()];
  }
}
