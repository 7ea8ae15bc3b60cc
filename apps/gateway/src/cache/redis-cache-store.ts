// The shared cache store (Redis mode): every instance reads and writes the same entries, each with its TTL
// (SET ... EX), so Redis expires them and its own memory policy bounds them. A lookup is bounded by a short
// timeout: a Redis that is slow or gone turns the lookup into a `bypass` (the request goes upstream), never
// an error and never a wait on the client's time.
import type { Redis } from "ioredis";
import type { CacheStore } from "./cache-store";

export class RedisCacheStore implements CacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly timeoutMs: number,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  get(key: string): Promise<string | undefined> {
    if (this.redis.status !== "ready") return Promise.reject(new Error("redis is not connected"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`cache lookup took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
      this.redis.get(this.prefix + key).then(
        (v) => {
          clearTimeout(timer);
          resolve(v ?? undefined);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  set(key: string, value: string, ttlSeconds: number): void {
    if (this.redis.status !== "ready") return;
    this.redis.set(this.prefix + key, value, "EX", ttlSeconds).catch((err: unknown) => this.onError(err));
  }
}
