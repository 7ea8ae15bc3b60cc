// What the response cache does for one request, from the tenant's config and the request's headers:
// - a tenant without a `cache` block in its config: nothing, whatever the headers (`bypass`): the per-request
//   TTL is not a way for a tenant the operator did not give the cache to fill the cache others share;
// - `x-runestone-cache: no-store`: neither looks up nor stores;
// - `x-runestone-cache: ttl=N`: looks up, and stores a fresh answer for N seconds (the tenant's TTL aside);
// - `Cache-Control: no-cache`: skips the lookup, stores the fresh answer (a refresh);
// - otherwise the tenant's `cache.ttl_seconds`, when set: looks up and stores.
// The spec validates the header's form (openapi/components/parameters/XRunestoneCache.yaml).

/** 30 days: the longest TTL a tenant's config or a request may set. */
export const MAX_TTL_SECONDS = 2_592_000;

export interface CacheDirectives {
  /** Look the request up before calling upstream. */
  lookup: boolean;
  /** Store a successful answer for this long; undefined: do not store. */
  ttlSeconds: number | undefined;
}

/** The directives, or undefined when the cache has nothing to do with this request (`bypass`, no hashing). */
export function cacheDirectives(header: string | undefined, cacheControl: string | undefined, tenant: { ttlSeconds?: number } | undefined): CacheDirectives | undefined {
  if (!tenant) return undefined;
  let ttl = tenant.ttlSeconds;
  if (header !== undefined) {
    const h = header.trim().toLowerCase();
    if (h === "no-store") return undefined;
    const m = /^ttl=(\d+)$/.exec(h);
    // The spec allows 1 to 30 days; the bound holds here too, whoever calls.
    if (m) ttl = Math.min(Number(m[1]), MAX_TTL_SECONDS);
  }
  if (!ttl || ttl <= 0) return undefined;
  const refresh = cacheControl !== undefined && /(^|[\s,])no-cache($|[\s,=])/i.test(cacheControl);
  return { lookup: !refresh, ttlSeconds: ttl };
}
