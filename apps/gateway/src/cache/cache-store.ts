// Where cached answers live: this process's memory (memory-cache-store.ts) or Redis, shared by every
// instance (redis-cache-store.ts). Values are the answer's JSON text: its length is what the memory store
// counts against its size bound, and each hit parses a fresh copy that nothing else shares.

export interface CacheStore {
  /** The stored text, or undefined when absent or expired. Rejects when the backend failed or was too slow. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlSeconds`; never throws (a failed store only costs a future hit). */
  set(key: string, value: string, ttlSeconds: number): void;
}
