// Redis's clock, read from this process. Instances' clocks may disagree (an unsynced host, a VM
// resumed from a snapshot); Redis's is one for all of them. Timestamps that other instances compare
// with their own "now" (a queued job's creation and expiry) are taken on it: the local clock plus the
// offset to Redis's TIME, measured at startup and again every time `sync` is called.
import type { Redis } from "ioredis";

export class RedisClock {
  private offsetMs = 0;

  constructor(private readonly redis: Redis) {}

  /** Measures the offset, halving the round trip; on failure keeps the last one. */
  async sync(): Promise<void> {
    const before = Date.now();
    const [seconds, micros] = await this.redis.time();
    const after = Date.now();
    this.offsetMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - (before + after) / 2;
  }

  /** Milliseconds since the epoch on Redis's clock. */
  now(): number {
    return Math.round(Date.now() + this.offsetMs);
  }

  /** A time on Redis's clock, on this process's clock (for comparisons with Date.now()). */
  toLocal(ms: number): number {
    return Math.round(ms - this.offsetMs);
  }
}
