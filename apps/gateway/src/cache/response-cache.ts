// The exact-match response cache for chat: off unless the tenant's config (`cache.ttl_seconds`) or, for a
// tenant with a `cache` block, the request (`x-runestone-cache: ttl=N`) turns it on, keyed by tenant, canonical body and the deployment that
// answers (cache-key.ts), one
// stored form per answer (the chat.completion, whether it came as JSON or as a stream) with who produced it
// and what it cost, so a hit can name them and count the saving. Never shared across tenants: the tenant
// is part of every key.
import type { ChatCompletion } from "../core/provider-contract";
import { cacheDirectives } from "./cache-directives";
import { bodyDigest, cacheKey, type ServedBy } from "./cache-key";
import type { CacheStore } from "./cache-store";

export type CacheStatus = "hit" | "miss" | "bypass";

/** What is stored: the answer as the provider gave it, without the request's own Runestone fields. */
export interface CachedAnswer {
  completion: ChatCompletion;
  /** The provider id and the catalog model that produced the answer. */
  provider: string;
  model: string;
  /** What the answer cost when it was made (USD); null for a model without a price. */
  costUsd: number | null;
}

/** One request's way through the cache, from its directives. */
export interface CacheTicket {
  /** The key looked up: the body served by the route plan's first candidate. */
  key: string;
  lookup: boolean;
  ttlSeconds: number | undefined;
  tenantId: string;
  /** The canonical body's hash, for the key of whichever candidate ends up answering. */
  digest: Buffer;
  first: ServedBy;
}

export type CacheLookup = { status: "hit"; answer: CachedAnswer } | { status: "miss" | "bypass" };

export interface ResponseCacheOptions {
  /**
   * Tenants with a `cache` block in their config, and its TTL (caching every request) when set. Only these
   * may use the cache, by config or by the request's `x-runestone-cache: ttl=N`.
   */
  cacheTenants: ReadonlyMap<string, { ttlSeconds?: number }>;
  /** An answer whose JSON is longer (UTF-8 bytes) is served but not stored. */
  maxEntryBytes: number;
  /** What keys are HMACs under (cache-key-secret.ts). */
  keySecret: Buffer;
  onError?(err: unknown, what: string): void;
}

/** A backend that keeps failing is reported at most this often (every lookup fails while Redis is down). */
const REPORT_EVERY_MS = 10_000;

export class ResponseCache {
  private lastReport = -Infinity;

  constructor(
    readonly store: CacheStore,
    private readonly opts: ResponseCacheOptions,
  ) {}

  /**
   * The request's ticket, or undefined when the cache is not used (off for the tenant, `no-store`): then no
   * key is computed. `first` is the route plan's first candidate: the deployment the request would call.
   */
  ticket(tenantId: string, headers: { cache?: string; cacheControl?: string }, body: Record<string, unknown>, first: ServedBy): CacheTicket | undefined {
    const d = cacheDirectives(headers.cache, headers.cacheControl, this.opts.cacheTenants.get(tenantId));
    if (!d) return undefined;
    const digest = bodyDigest(body);
    return { key: cacheKey(this.opts.keySecret, tenantId, digest, first), lookup: d.lookup, ttlSeconds: d.ttlSeconds, tenantId, digest, first };
  }

  /** A backend failure or timeout is a `bypass`: the request goes upstream as if there were no cache. */
  async lookup(t: CacheTicket): Promise<CacheLookup> {
    if (!t.lookup) return { status: "bypass" };
    let text: string | undefined;
    try {
      text = await this.store.get(t.key);
    } catch (err) {
      const now = performance.now();
      if (now - this.lastReport >= REPORT_EVERY_MS) {
        this.lastReport = now;
        this.opts.onError?.(err, "response cache lookup");
      }
      return { status: "bypass" };
    }
    if (text === undefined) return { status: "miss" };
    try {
      return { status: "hit", answer: JSON.parse(text) as CachedAnswer };
    } catch {
      return { status: "miss" };
    }
  }

  /**
   * Stores a successful, complete answer (the caller never passes an error or a cut stream) under the
   * deployment that made it: after a fallback, a request that would call that deployment first finds it.
   */
  save(t: CacheTicket, by: ServedBy, answer: CachedAnswer): void {
    if (!t.ttlSeconds) return;
    const { provider: _p, routing_policy: _r, request_id: _q, ...completion } = answer.completion;
    const text = JSON.stringify({ ...answer, completion });
    // The bound is in bytes, as the memory store counts them: text.length counts UTF-16 units.
    if (Buffer.byteLength(text) > this.opts.maxEntryBytes) return;
    const same = by === t.first || (by.model.id === t.first.model.id && by.provider.id === t.first.provider.id && by.upstreamModel === t.first.upstreamModel);
    this.store.set(same ? t.key : cacheKey(this.opts.keySecret, t.tenantId, t.digest, by), text, t.ttlSeconds);
  }
}
