// Readiness and in-flight tracking for graceful shutdown.
export class Lifecycle {
  ready = false;
  draining = false;
  inFlight = 0;
  readonly startedAt = Date.now();
  private idleWaiters: Array<() => void> = [];

  enter(): void {
    this.inFlight++;
  }

  leave(): void {
    this.inFlight--;
    if (this.inFlight === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  /** Resolves when no request is in flight (or after `timeoutMs`). */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }
}
