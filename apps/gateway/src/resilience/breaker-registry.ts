// One circuit breaker per deployment (provider id + upstream model name), created on first use and
// reported in /health and the metrics. With peers (Redis mode), openings are shared between instances
// (see breaker-peers.ts).
//
// The catalog's deployments are few and fixed: their breakers are kept for the life of the process.
// Models outside the catalog (`<provider>/<model>`, model_patterns, `provider` in the request) are named
// by requests, so their breakers are bounded: at most `outsideLimit` of them (all providers together).
// Past the bound, the least recently used CLOSED one is dropped (what it counted is forgotten: it starts
// closed again when its model is next called), else the least recently used HALF-OPEN one (its opening is
// over). An open breaker is never dropped, so an opening is never cut short. When every one of them is open,
// a new name shares its provider's overflow breaker (model `*`) until one's opening ends: bounded, and only
// then can one such model's failures hold back another's.
import type { GatewayEvents } from "../core/gateway-events";
import type { BreakerPeers } from "./breaker-peers";
import { CircuitBreaker, type BreakerConfig } from "./circuit-breaker";

/** How many breakers of models outside the catalog are kept at most (all providers together). */
export const OUTSIDE_CATALOG_BREAKERS = 256;

/** The model key of a provider's overflow breaker (see above). */
export const OVERFLOW_MODEL = "*";

const keyOf = (provider: string, model: string) => `${provider}\u0000${model}`;

export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** The breakers of models outside the catalog, least recently used first (a subset of `breakers`). */
  private readonly outside = new Map<string, CircuitBreaker>();
  private peers?: BreakerPeers;

  constructor(
    private readonly cfg: BreakerConfig,
    private readonly events: GatewayEvents = {},
    private readonly now: () => number = Date.now,
    private readonly outsideLimit: number = OUTSIDE_CATALOG_BREAKERS,
  ) {}

  /**
   * The breaker of a deployment: provider id and the upstream's model name. `outsideCatalog` for a model
   * a request named without a catalog entry: its breaker counts against the bound and may be dropped
   * once closed and unused (see above). A catalog deployment's breaker is kept for good, even if the same
   * deployment was first reached outside the catalog.
   */
  get(provider: string, model: string, outsideCatalog = false): CircuitBreaker {
    const key = keyOf(provider, model);
    const b = this.breakers.get(key);
    if (b) {
      // Most recently used now (or, reached through the catalog, kept for good); no map work while none are outside.
      if (this.outside.size !== 0 && this.outside.delete(key) && outsideCatalog) this.outside.set(key, b);
      return b;
    }
    if (outsideCatalog && this.outside.size >= this.outsideLimit && !this.evictOne()) return this.overflow(provider);
    const created = this.create(key, provider, model);
    if (outsideCatalog) this.outside.set(key, created);
    return created;
  }

  /**
   * Shares openings with the other instances. Only deployments this instance knows are opened on a
   * peer's word, so a stray message cannot grow the registry.
   */
  share(peers: BreakerPeers): void {
    this.peers = peers;
    peers.listen((provider, model, ms) => this.breakers.get(keyOf(provider, model))?.openFromPeer(ms));
  }

  all(): CircuitBreaker[] {
    return [...this.breakers.values()];
  }

  /**
   * The breakers that name no model a request made up: the catalog's deployments and the providers' overflow
   * breakers; `outside` are the others (names a client sent), which an unauthenticated reader (/health) must not see.
   */
  byOrigin(): { named: CircuitBreaker[]; outside: CircuitBreaker[] } {
    const named: CircuitBreaker[] = [];
    const outside: CircuitBreaker[] = [];
    for (const [key, b] of this.breakers) (this.outside.has(key) ? outside : named).push(b);
    return { named, outside };
  }

  private create(key: string, provider: string, model: string): CircuitBreaker {
    const b = new CircuitBreaker(provider, model, this.cfg, (br, state) => this.changed(br, state), this.now);
    this.breakers.set(key, b);
    return b;
  }

  /**
   * Drops the least recently used closed breaker outside the catalog, else the least recently used half-open one
   * (its opening is over: it would let the next call through as a probe, a fresh breaker lets it through too), so
   * names whose models failed and were never called again cannot hold every slot for good; false when all are open.
   */
  private evictOne(): boolean {
    for (const state of ["closed", "half_open"] as const) {
      for (const [key, b] of this.outside) {
        if (b.state !== state) continue;
        this.outside.delete(key);
        this.breakers.delete(key);
        return true;
      }
    }
    return false;
  }

  private overflow(provider: string): CircuitBreaker {
    const key = keyOf(provider, OVERFLOW_MODEL);
    return this.breakers.get(key) ?? this.create(key, provider, OVERFLOW_MODEL);
  }

  private changed(b: CircuitBreaker, state: CircuitBreaker["state"]): void {
    // A dropped breaker that a request still held: no longer reported, metered or shared.
    if (this.breakers.get(keyOf(b.provider, b.model)) !== b) return;
    this.events.breakerStateChanged?.({ provider: b.provider, model: b.model, state });
    if (state === "open" && b.openingToShare) this.peers?.announce(b.provider, b.model, b.retryInMs());
  }
}
