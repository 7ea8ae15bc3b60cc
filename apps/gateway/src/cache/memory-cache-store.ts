// The embedded cache store: an LRU bounded by the bytes of the stored JSON, with a TTL per entry. A Map
// keeps insertion order, so re-inserting an entry on a hit makes it the most recent and the first key is
// always the least recently used: get and set are O(1), with no timer per entry (an expired entry is
// dropped when it is next read, or evicted as the least recently used).
import type { CacheStore } from "./cache-store";

interface Entry {
  value: string;
  bytes: number;
  expiresAt: number;
}

export class MemoryCacheStore implements CacheStore {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries and bytes held now (keys included). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.getSync(key));
  }

  getSync(key: string): string | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.expiresAt <= this.now()) {
      this.bytes -= e.bytes;
      return undefined;
    }
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: string, ttlSeconds: number): void {
    // The answer's JSON bytes (UTF-8) and its key: what `cache.max_size_mb` bounds.
    const bytes = Buffer.byteLength(value) + key.length;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes, expiresAt: this.now() + ttlSeconds * 1000 });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }
}
