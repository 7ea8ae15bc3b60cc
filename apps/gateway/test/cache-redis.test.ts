// The response cache in Redis mode: two gateway instances on one real redis-server share answers (a hit on
// one instance for an answer the other stored), entries expire with their TTL, and a Redis that does not
// answer in time turns the lookup into a bypass rather than an error.
import { Redis } from "ioredis";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { upstreamRequestsFor } from "./harness";
import { limitsConfigYaml, startInstances, within, type Instances } from "./limits-harness";
import { startRedis, type RedisServer } from "./redis-server";

const KEY = "sk-test-shared-cache-0123456789";
const OTHER = "sk-test-shared-cache-other-0123456789";
const tenants = `  - id: shared-cache
    keys: [${KEY}]
    cache: { ttl_seconds: 300 }
  - id: shared-cache-other
    keys: [${OTHER}]
    cache: { ttl_seconds: 300 }
`;

let redis: RedisServer;
let gw: Instances;

beforeAll(async () => {
  redis = await startRedis();
  gw = await startInstances(2, (u) => limitsConfigYaml(u, `{ redis_url: "${redis.url}", redis_prefix: "cache-test:" }`, tenants));
}, 30_000);
afterAll(async () => {
  await gw?.close();
  await redis?.stop();
});
beforeEach(() => gw.upstream.reset());

let seq = 0;
const fresh = (extra: Record<string, unknown> = {}) => ({ model: "gpt-4o-mini", messages: [{ role: "user", content: `shared question ${++seq}` }], ...extra });
const calls = () => gw.upstream.requests.filter((r) => r.path === "/v1/chat/completions").length;
const chat = (i: number, body: unknown, key = KEY, headers: Record<string, string> = {}) =>
  fetch(`${gw.urls[i]}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers }, body: JSON.stringify(body) });

describe("the response cache shared through Redis", () => {
  it("serves on one instance the answer another instance stored: one upstream call for both", async () => {
    const body = fresh();
    const first = await chat(0, body);
    expect(first.headers.get("x-runestone-cache")).toBe("miss");
    const firstAnswer = (await first.json()) as OpenAI.ChatCompletion;
    const client = new OpenAI({ baseURL: `${gw.urls[1]}/v1`, apiKey: KEY, maxRetries: 0 });
    const second = await client.chat.completions.create(body as never).withResponse();
    expect(second.response.headers.get("x-runestone-cache")).toBe("hit");
    expect(second.data.choices).toEqual(firstAnswer.choices);
    expect(calls()).toBe(1);
    // One shared ledger: the call on one instance and the hit on the other (written within a second).
    let row: Record<string, number> | undefined;
    await within(5_000, async () => {
      const res = await fetch(`${gw.urls[0]}/v1/usage?group_by=model`, { headers: { authorization: `Bearer ${KEY}` } });
      row = ((await res.json()) as { data: Array<Record<string, number>> }).data[0];
      return row?.cache_hits === 1;
    });
    expect(row).toMatchObject({ requests: 1, cache_hits: 1, total_tokens: firstAnswer.usage!.total_tokens });
    expect(row!.saved_usd).toBeCloseTo(row!.cost_usd!, 9);
  });

  it("replays a stream stored by one instance as a stream on the other, and keeps tenants apart", async () => {
    const body = fresh({ stream: true });
    await (await chat(1, body)).text();
    const client = new OpenAI({ baseURL: `${gw.urls[0]}/v1`, apiKey: KEY, maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions.create(body as never).withResponse();
    let text = "";
    for await (const chunk of stream as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) text += chunk.choices[0]?.delta?.content ?? "";
    expect(response.headers.get("x-runestone-cache")).toBe("hit");
    expect(text).toBe(`echo: shared question ${seq}`);
    expect(calls()).toBe(1);
    const other = await chat(0, body, OTHER);
    expect(other.headers.get("x-runestone-cache")).toBe("miss");
    await other.text();
    expect(calls()).toBe(2);
  });

  it("lets Redis expire an entry after its TTL", async () => {
    const body = fresh();
    const ttl1 = { "x-runestone-cache": "ttl=1" };
    expect((await chat(0, body, KEY, ttl1)).headers.get("x-runestone-cache")).toBe("miss");
    expect((await chat(1, body, KEY, ttl1)).headers.get("x-runestone-cache")).toBe("hit");
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await chat(1, body, KEY, ttl1)).headers.get("x-runestone-cache")).toBe("miss");
    expect(calls()).toBe(2);
  });

  it("bypasses the cache when Redis does not answer the lookup in time, and answers from upstream", async () => {
    const body = fresh();
    await (await chat(0, body)).text();
    redis.pause();
    const pending = chat(1, body);
    // Admission waits for Redis (it fails closed, never open), so Redis comes back while the request waits;
    // the cache lookup gave up after its 50 ms timeout.
    // Paused well beyond the lookup's timeout, so a loaded machine still sees the lookup give up first.
    await new Promise((r) => setTimeout(r, 1_000));
    redis.resume();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-cache")).toBe("bypass");
    await res.text();
    expect(calls()).toBe(2);
    expect((await chat(0, body)).headers.get("x-runestone-cache")).toBe("hit");
  });
});

// One tenant on instances whose configs differ (a rollout): what one stored must not reach what the other's
// config does not allow, and keys are HMACs under the deployment's secret, not hashes anyone can recompute.
// (A first lookup on a fresh instance may be slow on a loaded machine: a long lookup timeout keeps it a lookup.)
describe("the shared cache across configs", () => {
  const ROLLOUT = "sk-test-rollout-0123456789";
  const yaml = (opts: { allowed?: string; secret?: string; prefix?: string; upstreamKey?: string; canary?: boolean }) => (u: string) => `
server: { host: 127.0.0.1, port: 0, body_limit: 1mb, shutdown_grace_ms: 1000 }
admin: { key: sk-admin-test-0123456789abcdef }
state: { redis_url: "${redis.url}", redis_prefix: "${opts.prefix ?? "rollout:"}" }
cache: { lookup_timeout_ms: 5000${opts.secret ? `, key_secret: ${opts.secret}` : ""} }
providers:
  openai: { type: openai, base_url: ${u}/v1, api_key: ${opts.upstreamKey ?? "sk-upstream"} }
  backup: { type: openai-compatible, base_url: ${u}/v1, api_key: sk-backup }
${opts.canary ? `  canary: { type: openai-compatible, base_url: ${u}/v1, api_key: sk-canary }` : ""}
models:
  gpt-4o-mini: { deployments: [{ provider: openai, model: gpt-4o-mini }] }
  dual: { deployments: [{ provider: openai, model: dual-p }, { provider: backup, model: dual-b }] }
tenants:
  - id: rollout
    keys: [${ROLLOUT}]
    cache: { ttl_seconds: 300 }
${opts.allowed ? `    allowed_models: ${opts.allowed}` : ""}
`;
  const ask = async (url: string, body: unknown) => {
    const res = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ROLLOUT}` }, body: JSON.stringify(body) });
    const json = (await res.json()) as { error?: { code: string } };
    return { status: res.status, cache: res.headers.get("x-runestone-cache"), provider: res.headers.get("x-runestone-provider"), code: json.error?.code };
  };
  let open: Instances[] = [];
  const start = async (opts: Parameters<typeof yaml>[0]) => {
    const i = await startInstances(1, yaml(opts), gw.upstream);
    open.push(i);
    return i.urls[0]!;
  };
  afterAll(async () => {
    await Promise.all(open.map((i) => i.close()));
    open = [];
  });

  it("never serves a tenant an answer from a deployment its allowed_models leaves out, and refuses a model it may not use before any lookup", async () => {
    const everything = await start({});
    const backupOnly = await start({ allowed: '["backup/*", "mock-*"]' });
    const body = { model: "dual", messages: [{ role: "user", content: `rollout ${++seq}` }] };
    expect(await ask(everything, body)).toMatchObject({ status: 200, cache: "miss", provider: "openai" });
    expect(await ask(everything, body)).toMatchObject({ status: 200, cache: "hit", provider: "openai" });
    // The same tenant where only the backup deployment is allowed: the openai answer is not for it.
    expect(await ask(backupOnly, body)).toMatchObject({ status: 200, cache: "miss", provider: "backup" });
    expect(upstreamRequestsFor(gw.upstream, "dual-b")).toHaveLength(1);
    expect(await ask(backupOnly, body)).toMatchObject({ status: 200, cache: "hit", provider: "backup" });
    // A model it may not use at all is refused, although the other instance cached an answer to the same body.
    const mini = { model: "gpt-4o-mini", messages: body.messages };
    expect(await ask(everything, mini)).toMatchObject({ status: 200, cache: "miss" });
    expect(await ask(backupOnly, mini)).toMatchObject({ status: 403, code: "model_not_allowed" });
    expect(calls()).toBe(3);
  });

  it("keys entries with an HMAC under cache.key_secret: instances with another secret do not find them", async () => {
    const prefix = "rollout-secret:";
    const a = await start({ secret: "first-secret-0123456789", prefix });
    const b = await start({ secret: "first-secret-0123456789", prefix });
    const c = await start({ secret: "other-secret-0123456789", prefix });
    const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: `secret ${++seq}` }] };
    expect((await ask(a, body)).cache).toBe("miss");
    expect((await ask(b, body)).cache).toBe("hit");
    expect((await ask(c, body)).cache).toBe("miss");
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys(`${prefix}cache:*`);
      expect(keys).toHaveLength(2);
      // The tenant in clear, then 32 bytes of HMAC: nothing a reader of Redis could recompute from a guessed body.
      for (const k of keys) expect(k).toMatch(/^rollout-secret:cache:rollout:[A-Za-z0-9_-]{43}$/);
    } finally {
      client.disconnect();
    }
  });

  // Without cache.key_secret the secret comes from the admin key alone: a rollout that adds a provider or
  // rotates a provider key on one instance keeps the instances on one cache.
  it("derives the secret from the admin key only: instances whose providers or provider keys differ share answers", async () => {
    const prefix = "rollout-derived:";
    const a = await start({ prefix });
    const rotated = await start({ prefix, upstreamKey: "sk-upstream-rotated" });
    const added = await start({ prefix, canary: true });
    const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: `derived ${++seq}` }] };
    expect((await ask(a, body)).cache).toBe("miss");
    expect((await ask(rotated, body)).cache).toBe("hit");
    expect((await ask(added, body)).cache).toBe("hit");
    expect(calls()).toBe(1);
  });
});
