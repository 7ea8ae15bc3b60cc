// The response cache over the state backend: shared through Redis in Redis mode, else this process's
// memory bounded by `cache.max_size_mb`. Tenants turn it on in their config: `cache: { ttl_seconds }` for every request, `cache: {}`
// for the requests that ask (`x-runestone-cache: ttl=N`).
import type { Redis } from "ioredis";
import type { RunestoneConfig } from "../config/schema";
import { cacheKeySecret } from "./cache-key-secret";
import { MemoryCacheStore } from "./memory-cache-store";
import { RedisCacheStore } from "./redis-cache-store";
import { ResponseCache } from "./response-cache";

export function openResponseCache(
  config: RunestoneConfig,
  redis: Redis | undefined,
  onError: (err: unknown, what: string) => void,
  onInfo: (fields: Record<string, unknown>, message: string) => void = () => undefined,
): ResponseCache {
  const c = config.cache;
  const store = redis
    ? new RedisCacheStore(redis, `${config.state.redis_prefix}cache:`, c.lookup_timeout_ms, (e) => onError(e, "response cache store"))
    : new MemoryCacheStore(Math.floor(c.max_size_mb * 1024 * 1024));
  const cacheTenants = new Map<string, { ttlSeconds?: number }>();
  for (const t of config.tenants) if (t.cache) cacheTenants.set(t.id, { ttlSeconds: t.cache.ttl_seconds });
  const { secret, source, fingerprint } = cacheKeySecret(config, redis !== undefined);
  if (source === "weak" && cacheTenants.size) {
    // Logged as "<what> failed" by the state's error reporter.
    onError(new Error("no admin key to derive it from: set cache.key_secret, else whoever reads Redis can confirm a guessed prompt"), "deriving the response cache key secret");
  }
  // Instances sharing one Redis share its answers only under the same secret: a fingerprint (never the secret) to compare.
  if (redis) onInfo({ source, fingerprint }, `response cache key secret: ${source}, fingerprint ${fingerprint}`);
  return new ResponseCache(store, { cacheTenants, maxEntryBytes: c.max_entry_kb * 1024, keySecret: secret, onError });
}
