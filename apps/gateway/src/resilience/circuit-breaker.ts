// A circuit breaker for one deployment (provider + upstream model). It opens on a failure rate over a
// rolling window (above a minimum volume) or on consecutive failures, and for exactly as long as an
// upstream's Retry-After asks; an open breaker is only ever extended, never shortened. After the
// cooldown it lets a bounded number of probes through (half-open); a probe's success closes it, a
// probe's failure opens it again.
import type { ResilienceConfig } from "../config/schema";
import type { Breaker, BreakerPermit } from "../core/breaker";

export type BreakerState = "closed" | "open" | "half_open";
export type BreakerConfig = ResilienceConfig["breaker"];

export interface BreakerSnapshot {
  state: BreakerState;
  /** Milliseconds until an open breaker lets a probe through. */
  retry_in_ms?: number;
  calls_in_window: number;
  failures_in_window: number;
  consecutive_failures: number;
}

const BUCKETS = 10;

export class CircuitBreaker implements Breaker {
  private current: BreakerState = "closed";
  private openUntil = 0;
  private probesInFlight = 0;
  private consecutive = 0;
  private readonly bucketMs: number;
  private readonly bucketEpoch = new Array<number>(BUCKETS).fill(-1);
  private readonly bucketCalls = new Array<number>(BUCKETS).fill(0);
  private readonly bucketFailures = new Array<number>(BUCKETS).fill(0);
  /** True while an opening announced by another instance is applied (it is not announced back). */
  private fromPeer = false;
  /** The state the breaker was in when it last opened. */
  private openedFromClosed = false;

  constructor(
    readonly provider: string,
    readonly model: string,
    private readonly cfg: BreakerConfig,
    private readonly onChange: (b: CircuitBreaker, state: BreakerState) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(cfg.window_ms / BUCKETS));
  }

  get state(): BreakerState {
    this.refresh();
    return this.current;
  }

  /** 0 when a call may go through now; otherwise how long until one may. */
  retryInMs(): number {
    this.refresh();
    if (this.current === "closed") return 0;
    if (this.current === "half_open") return this.probesInFlight < this.cfg.half_open_probes ? 0 : this.cfg.open_ms;
    return Math.max(1, this.openUntil - this.now());
  }

  /** Lets a call through (closed, or a free probe slot when half-open), or refuses it. */
  tryAcquire(): BreakerPermit | undefined {
    this.refresh();
    if (this.current === "closed") return { probe: false };
    if (this.current === "half_open" && this.probesInFlight < this.cfg.half_open_probes) {
      this.probesInFlight++;
      return { probe: true };
    }
    return undefined;
  }

  onSuccess(permit: BreakerPermit): void {
    this.release(permit);
    this.record(false);
    this.consecutive = 0;
    if (this.current === "half_open") this.transition("closed");
  }

  /**
   * A failure that says something about the deployment (retryable: 5xx, 429, timeouts, connection).
   * `retryAfterMs` (from a 429's Retry-After) opens the breaker for that long.
   */
  onFailure(permit: BreakerPermit, retryAfterMs?: number): void {
    this.release(permit);
    this.record(true);
    this.consecutive++;
    // One opening for the longer of the cooldown and the upstream's Retry-After, so the transition
    // (and what peers hear of it) carries the whole duration.
    let ms = 0;
    if (this.current === "half_open" || (this.current === "closed" && this.tripped())) ms = this.cfg.open_ms;
    if (retryAfterMs !== undefined && retryAfterMs > 0) ms = Math.max(ms, Math.min(retryAfterMs, this.cfg.max_open_ms));
    if (ms > 0) this.open(ms);
  }

  /**
   * Another instance's breaker for this deployment opened for `ms`: open this one as long (never
   * shortening an opening already in force).
   */
  openFromPeer(ms: number): void {
    this.fromPeer = true;
    try {
      this.open(Math.min(ms, this.cfg.max_open_ms));
    } finally {
      this.fromPeer = false;
    }
  }

  /**
   * Whether the opening being reported is news for other instances: this instance saw the deployment
   * fail while closed. A failed half-open probe or a peer's own opening is not.
   */
  get openingToShare(): boolean {
    return !this.fromPeer && this.openedFromClosed;
  }

  /** An outcome that says nothing about the deployment's health (client gone, upstream 400). */
  onNeutral(permit: BreakerPermit): void {
    this.release(permit);
  }

  snapshot(): BreakerSnapshot {
    this.refresh();
    const { calls, failures } = this.windowCounts();
    return {
      state: this.current,
      ...(this.current === "open" ? { retry_in_ms: Math.max(0, this.openUntil - this.now()) } : {}),
      calls_in_window: calls,
      failures_in_window: failures,
      consecutive_failures: this.consecutive,
    };
  }

  /** Opens (or keeps open) until at least now + ms: a later deadline always wins. */
  private open(ms: number): void {
    this.openUntil = Math.max(this.openUntil, this.now() + ms);
    if (this.current !== "open") {
      this.openedFromClosed = this.current === "closed";
      this.transition("open");
    }
  }

  private tripped(): boolean {
    if (this.consecutive >= this.cfg.consecutive_failures) return true;
    const { calls, failures } = this.windowCounts();
    return calls >= this.cfg.minimum_requests && failures / calls >= this.cfg.failure_rate;
  }

  private refresh(): void {
    if (this.current === "open" && this.now() >= this.openUntil) {
      this.probesInFlight = 0;
      this.transition("half_open");
    }
  }

  private transition(to: BreakerState): void {
    this.current = to;
    if (to === "closed") {
      this.consecutive = 0;
      this.bucketEpoch.fill(-1);
      this.probesInFlight = 0;
    }
    this.onChange(this, to);
  }

  private release(permit: BreakerPermit): void {
    if (permit.probe && this.probesInFlight > 0) this.probesInFlight--;
  }

  private record(failed: boolean): void {
    const epoch = Math.floor(this.now() / this.bucketMs);
    const i = epoch % BUCKETS;
    if (this.bucketEpoch[i] !== epoch) {
      this.bucketEpoch[i] = epoch;
      this.bucketCalls[i] = 0;
      this.bucketFailures[i] = 0;
    }
    this.bucketCalls[i]!++;
    if (failed) this.bucketFailures[i]!++;
  }

  private windowCounts(): { calls: number; failures: number } {
    const oldest = Math.floor(this.now() / this.bucketMs) - BUCKETS + 1;
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (this.bucketEpoch[i]! < oldest) continue;
      calls += this.bucketCalls[i]!;
      failures += this.bucketFailures[i]!;
    }
    return { calls, failures };
  }
}
