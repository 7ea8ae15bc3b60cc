import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/load";
import type { RunestoneConfig } from "../config/schema";
import { cacheKeySecret } from "./cache-key-secret";
import { openResponseCache } from "./open-response-cache";

const ADMIN = "sk-admin-0123456789abcdef";
const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const config = (admin: { key?: string; key_hash?: string }, providers: Record<string, { api_key?: string }>, extra: { prefix?: string; key_secret?: string } = {}) =>
  ({ cache: { key_secret: extra.key_secret }, admin, state: { redis_prefix: extra.prefix ?? "rs:" }, providers }) as unknown as RunestoneConfig;
const derived = (c: RunestoneConfig) => cacheKeySecret(c, true);

describe("the response cache key secret in Redis mode", () => {
  it("is the same on instances whose providers or provider keys differ, or that set the admin key as key, key_hash or both", () => {
    const base = derived(config({ key: ADMIN }, { openai: { api_key: "sk-1" } }));
    expect(base.source).toBe("derived");
    const others = [
      config({ key: ADMIN }, { openai: { api_key: "sk-1" }, canary: { api_key: "sk-canary" } }),
      config({ key: ADMIN }, { openai: { api_key: "sk-2" } }),
      config({ key: ADMIN, key_hash: "a".repeat(64) }, { openai: { api_key: "sk-1" } }),
      config({ key_hash: sha(ADMIN) }, {}),
    ];
    for (const c of others) expect(derived(c).secret.equals(base.secret)).toBe(true);
  });

  it("changes with the admin key and with the redis prefix", () => {
    const base = derived(config({ key: ADMIN }, {})).secret;
    expect(derived(config({ key: `${ADMIN}-rotated` }, {})).secret.equals(base)).toBe(false);
    expect(derived(config({ key: ADMIN }, {}, { prefix: "other:" })).secret.equals(base)).toBe(false);
  });

  it("is weak without an admin key (provider keys do not count), and cache.key_secret wins over everything", () => {
    expect(derived(config({}, { openai: { api_key: "sk-1" } })).source).toBe("weak");
    const configured = derived(config({ key: ADMIN }, {}, { key_secret: "operator-secret-0123" }));
    expect(configured).toMatchObject({ source: "configured", secret: Buffer.from("operator-secret-0123") });
  });

  it("has a fingerprint of 8 hex digits of its SHA-256, never the secret itself", () => {
    const s = derived(config({ key: ADMIN }, {}));
    expect(s.fingerprint).toBe(createHash("sha256").update(s.secret).digest("hex").slice(0, 8));
    expect(s.secret.toString("hex")).not.toContain(s.fingerprint);
    expect(derived(config({ key: ADMIN }, { x: { api_key: "k" } })).fingerprint).toBe(s.fingerprint);
  });

  it("is announced at startup in Redis mode by its fingerprint, never the secret", () => {
    const parsed = parseConfig(
      `admin: { key: ${ADMIN} }\nstate: { redis_url: "redis://127.0.0.1:1", redis_prefix: "fp:" }\nproviders:\n  mock: { type: mock }\nmodels: {}\ntenants: [{ id: t, keys: [sk-tenant-0123456789], cache: { ttl_seconds: 60 } }]\n`,
      {},
    ).config;
    // Never connected: opening the cache does not talk to Redis.
    const redis = new Redis({ lazyConnect: true });
    const infos: Array<[Record<string, unknown>, string]> = [];
    const errors: unknown[] = [];
    openResponseCache(parsed, redis, (e) => errors.push(e), (fields, message) => infos.push([fields, message]));
    const { secret, fingerprint } = cacheKeySecret(parsed, true);
    expect(infos).toEqual([[{ source: "derived", fingerprint }, `response cache key secret: derived, fingerprint ${fingerprint}`]]);
    expect(JSON.stringify(infos)).not.toContain(secret.toString("hex").slice(0, 16));
    expect(errors).toEqual([]);
    redis.disconnect();
  });
});
