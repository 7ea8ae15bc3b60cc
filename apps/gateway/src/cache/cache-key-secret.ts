// The secret the response cache's keys are HMACs under (cache-key.ts). It must be the same on every instance
// that shares a Redis (else they never share an answer) and across restarts (else a restart orphans what
// Redis still holds), and unknown to whoever can read Redis (else a guessed prompt can be confirmed there).
//
// - `cache.key_secret` when set: the operator's choice, the only one that survives rotating other secrets.
// - Embedded mode: 32 random bytes per process; its answers live in this process's memory and die with it.
// - Redis mode: derived from the deployment's own secrets, which every instance reads from the same config and
//   none of which Redis holds: the admin key (its SHA-256) and the providers' API keys, with the Redis prefix.
//   Rotating one of them changes every key (the cache starts empty, old entries expire with their TTL).
//   With none of them configured nothing secret is left to derive from: `weak`, and the gateway warns.
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { RunestoneConfig } from "../config/schema";

export interface CacheKeySecret {
  secret: Buffer;
  source: "configured" | "random" | "derived" | "weak";
}

export function cacheKeySecret(config: RunestoneConfig, shared: boolean): CacheKeySecret {
  const configured = config.cache.key_secret;
  if (configured) return { secret: Buffer.from(configured, "utf8"), source: "configured" };
  if (!shared) return { secret: randomBytes(32), source: "random" };
  const material: string[] = [];
  const admin = config.admin.key_hash ?? (config.admin.key ? createHash("sha256").update(config.admin.key, "utf8").digest("hex") : undefined);
  if (admin) material.push(`admin:${admin}`);
  for (const id of Object.keys(config.providers).sort()) {
    const key = config.providers[id]!.api_key;
    if (key) material.push(`provider:${id}:${key}`);
  }
  const secret = createHmac("sha256", "runestone response cache key v1").update(JSON.stringify([config.state.redis_prefix, ...material])).digest();
  return { secret, source: material.length ? "derived" : "weak" };
}
