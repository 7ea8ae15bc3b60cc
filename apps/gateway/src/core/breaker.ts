// What executing a route plan asks of a deployment's circuit breaker (resilience/circuit-breaker.ts
// implements it): may a call go now, and how did it end.

/** Proof that a call was let through; hand it back with the outcome. */
export interface BreakerPermit {
  probe: boolean;
}

export interface Breaker {
  /** Milliseconds until the breaker lets a call through: 0 when it would now. */
  retryInMs(): number;
  /** A permit when a call may go now, else undefined. */
  tryAcquire(): BreakerPermit | undefined;
  onSuccess(permit: BreakerPermit): void;
  /** A failure that counts against the deployment; `retryAfterMs` is the upstream's Retry-After. */
  onFailure(permit: BreakerPermit, retryAfterMs?: number): void;
  /** An outcome that says nothing about the deployment's health (the client went away, a 4xx). */
  onNeutral(permit: BreakerPermit): void;
}
