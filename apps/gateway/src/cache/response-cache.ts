// The exact-match response cache for chat: off unless the tenant's config (`cache.ttl_seconds`) or the
// request (`x-runestone-cache: ttl=N`) turns it on, keyed by tenant and canonical body (cache-key.ts), one
// stored form per answer (the chat.completion, whether it came as JSON or as a stream) with who produced it
// and what it cost, so a hit can name them and count the saving. Never shared across tenants: the tenant
// is part of every key.
import type { ChatCompletion } from "../core/provider-contract";
import { cacheDirectives } from "./cache-directives";
import { cacheKey } from "./cache-key";
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
  key: string;
  lookup: boolean;
  ttlSeconds: number | undefined;
}

export type CacheLookup = { status: "hit"; answer: CachedAnswer } | { status: "miss" | "bypass" };

export interface ResponseCacheOptions {
  /** Tenants with caching on by config, and their TTL. */
  tenantTtlSeconds: ReadonlyMap<string, number>;
  /** An answer whose JSON is longer is served but not stored. */
  maxEntryBytes: number;
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
   * key is computed. `resolvedModel` is the catalog model routing chose, when the request named one.
   */
  ticket(tenantId: string, headers: { cache?: string; cacheControl?: string }, body: Record<string, unknown>, resolvedModel: string | undefined): CacheTicket | undefined {
    const d = cacheDirectives(headers.cache, headers.cacheControl, this.opts.tenantTtlSeconds.get(tenantId));
    if (!d) return undefined;
    return { key: cacheKey(tenantId, body, resolvedModel), lookup: d.lookup, ttlSeconds: d.ttlSeconds };
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

  /** Stores a successful, complete answer (the caller never passes an error or a cut stream). */
  save(t: CacheTicket, answer: CachedAnswer): void {
    if (!t.ttlSeconds) return;
    const { provider: _p, routing_policy: _r, request_id: _q, ...completion } = answer.completion;
    const text = JSON.stringify({ ...answer, completion });
    if (text.length > this.opts.maxEntryBytes) return;
    this.store.set(t.key, text, t.ttlSeconds);
  }
}
