// Other gateway instances, as the breakers see them (Redis mode). When a deployment's breaker opens
// here, the peers hear of it and open theirs for as long, so every instance spares a failing
// deployment at once instead of each paying its own failures first. Only openings travel: the
// failure counts stay per instance, and each instance probes on its own when the cooldown ends.
export interface BreakerPeers {
  /** Tells the other instances that this deployment's breaker opened for `openForMs`. */
  announce(provider: string, model: string, openForMs: number): void;
  /** Calls `onOpen` for every opening another instance announces. */
  listen(onOpen: (provider: string, model: string, openForMs: number) => void): void;
  close(): Promise<void>;
}
