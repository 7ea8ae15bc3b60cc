// The secret the response cache's keys are HMACs under (cache-key.ts). It must be the same on every instance
// that shares a Redis (else they never share an answer) and across restarts (else a restart orphans what
// Redis still holds), and unknown to whoever can read Redis (else a guessed prompt can be confirmed there).
//
// - `cache.key_secret` when set: the operator's choice, the only one that survives rotating the admin key.
// - Embedded mode: 32 random bytes per process; its answers live in this process's memory and die with it.
// - Redis mode: derived from the admin key's SHA-256 (`admin.key` hashed, or `admin.key_hash` as given: the
//   same secret either way; `key` wins when both are set, so adding a second accepted key_hash to one instance
//   keeps it on the others' cache) and the Redis prefix. Only
//   the admin key: provider API keys differ between instances of one deployment during a rollout (an
//   instance adds a provider, a key is rotated one instance at a time), and the cache must stay shared then.
//   Rotating the admin key changes every key (the cache starts empty, old entries expire with their TTL).
//   Without an admin key nothing secret is left to derive from: `weak`, and the gateway warns.
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { RunestoneConfig } from "../config/schema";

export interface CacheKeySecret {
  secret: Buffer;
  source: "configured" | "random" | "derived" | "weak";
  /** The first 8 hex digits of the secret's SHA-256: logged at startup so operators can compare instances (never the secret). */
  fingerprint: string;
}

export function cacheKeySecret(config: RunestoneConfig, shared: boolean): CacheKeySecret {
  const configured = config.cache.key_secret;
  if (configured) return withFingerprint(Buffer.from(configured, "utf8"), "configured");
  if (!shared) return withFingerprint(randomBytes(32), "random");
  const { key, key_hash } = config.admin;
  const adminHash = key ? sha256Hex(key) : key_hash?.toLowerCase();
  const secret = createHmac("sha256", "runestone response cache key v2").update(JSON.stringify([config.state.redis_prefix, adminHash ?? ""])).digest();
  return withFingerprint(secret, adminHash ? "derived" : "weak");
}

function withFingerprint(secret: Buffer, source: CacheKeySecret["source"]): CacheKeySecret {
  return { secret, source, fingerprint: createHash("sha256").update(secret).digest("hex").slice(0, 8) };
}

function sha256Hex(s: string): string {
  return createHash("sha256").update(s, "utf8").digest("hex");
}
