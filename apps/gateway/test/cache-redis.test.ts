// The response cache in Redis mode: two gateway instances on one real redis-server share answers (a hit on
// one instance for an answer the other stored), entries expire with their TTL, and a Redis that does not
// answer in time turns the lookup into a bypass rather than an error.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
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
