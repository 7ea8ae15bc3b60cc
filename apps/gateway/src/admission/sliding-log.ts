// An exact sliding window: every admission is an entry (time, amount) kept for one window. The sum of
// live entries is what was used in the last minute, so a burst can never exceed the limit at any
// moment, unlike fixed windows that allow twice the limit around a boundary.
export interface LogEntry {
  t: number;
  n: number;
  live: boolean;
}

export class SlidingLog {
  private entries: LogEntry[] = [];
  private head = 0;
  sum = 0;

  constructor(private readonly windowMs: number) {}

  get count(): number {
    return this.entries.length - this.head;
  }

  prune(now: number): void {
    const cut = now - this.windowMs;
    while (this.head < this.entries.length && this.entries[this.head]!.t <= cut) {
      const e = this.entries[this.head++]!;
      e.live = false;
      this.sum -= e.n;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  add(now: number, n: number): LogEntry {
    const e = { t: now, n, live: true };
    this.entries.push(e);
    this.sum += n;
    return e;
  }

  /** Corrects a reservation to what was really used, while it is still in the window. */
  adjust(e: LogEntry, n: number): void {
    if (!e.live) return;
    this.sum += n - e.n;
    e.n = n;
  }

  /** Milliseconds until `sum + need <= limit` (0 if already so). */
  waitFor(now: number, need: number, limit: number): number {
    let excess = this.sum + need - limit;
    if (excess <= 0) return 0;
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      excess -= e.n;
      if (excess <= 0) return e.t + this.windowMs - now;
    }
    return this.windowMs;
  }

  /** Milliseconds until every entry has left the window. */
  resetIn(now: number): number {
    const last = this.entries[this.entries.length - 1];
    return this.count && last ? last.t + this.windowMs - now : 0;
  }
}
