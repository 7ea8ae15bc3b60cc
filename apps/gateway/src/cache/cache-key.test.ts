import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/load";
import { bodyDigest, cacheKey } from "./cache-key";
import { cacheKeySecret } from "./cache-key-secret";

const openai = { model: { id: "llama3" }, provider: { id: "openai" }, upstreamModel: "llama3" };
const mock = { model: { id: "llama3" }, provider: { id: "mock" }, upstreamModel: "llama3" };
const body = { model: "llama3", messages: [{ role: "user", content: "a guessable prompt" }] };
const secret = Buffer.from("a-secret-of-this-deployment");

const config = (extra = "", admin = "sk-admin-0123456789abcdef", openaiKey = "sk-upstream") =>
  parseConfig(
    `
admin: { key: ${admin} }
state: { redis_prefix: "prod:" }
providers:
  mock: { type: mock }
  openai: { type: openai, base_url: "http://127.0.0.1:9/v1", api_key: ${openaiKey} }
models: {}
tenants: [{ id: t, keys: [sk-tenant-0123456789] }]
${extra}`,
    {},
  ).config;

describe("the cache key", () => {
  it("names the deployment: the same body on another provider is another key", () => {
    const d = bodyDigest(body);
    expect(cacheKey(secret, "t", d, openai)).not.toBe(cacheKey(secret, "t", d, mock));
    expect(cacheKey(secret, "t", d, openai)).not.toBe(cacheKey(secret, "t", d, { ...openai, upstreamModel: "llama3-70b" }));
    expect(cacheKey(secret, "t", d, openai)).toBe(cacheKey(secret, "t", bodyDigest({ ...body, provider: "openai", stream: true }), openai));
  });

  it("is an HMAC under the secret: without it a guessed body does not give the key", () => {
    const d = bodyDigest(body);
    const key = cacheKey(secret, "t", d, openai);
    expect(key).toMatch(/^t:[A-Za-z0-9_-]{43}$/);
    expect(cacheKey(Buffer.from("another-secret-entirely"), "t", d, openai)).not.toBe(key);
    expect(key).not.toContain(createHash("sha256").update(JSON.stringify(body)).digest("base64url"));
    expect(key).not.toContain(d.toString("base64url"));
  });
});

describe("the cache key secret", () => {
  it("is the same on every instance of one Redis deployment, changes with its admin key, not with its provider keys", () => {
    const a = cacheKeySecret(config(), true);
    expect(a.source).toBe("derived");
    expect(cacheKeySecret(config(), true).secret.equals(a.secret)).toBe(true);
    expect(cacheKeySecret(config("", "sk-admin-another-0123456789"), true).secret.equals(a.secret)).toBe(false);
    // A provider key rotated on one instance of a rollout must not split the shared cache.
    expect(cacheKeySecret(config("", undefined, "sk-upstream-rotated"), true).secret.equals(a.secret)).toBe(true);
  });

  it("is cache.key_secret when set, random per process in embedded mode, and weak with nothing secret to derive from", () => {
    const set = cacheKeySecret(config("cache: { key_secret: operator-chosen-secret }"), true);
    expect(set).toMatchObject({ secret: Buffer.from("operator-chosen-secret"), source: "configured" });
    const embedded = cacheKeySecret(config(), false);
    expect(embedded.source).toBe("random");
    expect(cacheKeySecret(config(), false).secret.equals(embedded.secret)).toBe(false);
    const bare = parseConfig(`providers:\n  mock: { type: mock }\nmodels: {}\ntenants: [{ id: t, keys: [sk-tenant-0123456789] }]\n`, {}).config;
    expect(cacheKeySecret(bare, true).source).toBe("weak");
  });
});
