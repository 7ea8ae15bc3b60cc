// The exact-match response cache (issue 18) on the embedded backend, through the real mock upstream
// (counting its calls) and the official openai SDK: hits for JSON and streams with one upstream call,
// answers shared between JSON and stream requests, tenant isolation, no caching of errors or cut streams,
// the request headers, TTL expiry, and a hit that charges no tokens while still counting a request.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, readSse, startHarness, testConfigYaml, upstreamRequestsFor, type Harness } from "./harness";
import { parseMetrics, sum } from "./metrics-text";

const CACHED_KEY = "sk-test-cached-0123456789";
const CACHED_TWIN_KEY = "sk-test-cached-twin-0123456789";
const LIMITED_KEY = "sk-test-cached-limited-0123456789";
const PLAIN_KEY = "sk-test-plain-0123456789";
const ON_REQUEST_KEY = "sk-test-cache-on-request-0123456789";
const BUDGET_KEY = "sk-test-cached-budget-0123456789";

let h: Harness;
let client: OpenAI;

const tenants = `  - id: cached
    keys: [${CACHED_KEY}]
    cache: { ttl_seconds: 300 }
  - id: cached-twin
    keys: [${CACHED_TWIN_KEY}]
    cache: { ttl_seconds: 300 }
  - id: cached-limited
    keys: [${LIMITED_KEY}]
    cache: { ttl_seconds: 300 }
    limits: { tokens_per_minute: 60, requests_per_minute: 4 }
  - id: plain
    keys: [${PLAIN_KEY}]
  - id: on-request
    keys: [${ON_REQUEST_KEY}]
    cache: {}
  - id: cached-budget
    keys: [${BUDGET_KEY}]
    cache: { ttl_seconds: 300 }
    limits: { budget: { amount_usd: 1, period: day } }
metrics: { access: open }
`;

beforeAll(async () => {
  h = await startHarness({ configYaml: (u) => testConfigYaml(u, tenants) });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: CACHED_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

/** A body no other test sends, so every test starts with an empty cache for it. */
let seq = 0;
const fresh = (extra: Record<string, unknown> = {}) => ({ model: "gpt-4o-mini", messages: [{ role: "user", content: `question number ${++seq}` }], ...extra });
const calls = () => h.upstream.requests.filter((r) => r.path === "/v1/chat/completions").length;
const chat = (body: unknown, key = CACHED_KEY, headers: Record<string, string> = {}) => postJson(`${h.url}/v1/chat/completions`, body, { authorization: `Bearer ${key}`, ...headers });

describe("the response cache on JSON answers", () => {
  it("answers a repeated request from the cache: one upstream call, the same answer, x-runestone-cache hit and no cost", async () => {
    const body = fresh({ temperature: 0.2 });
    const first = await client.chat.completions.create(body as never).withResponse();
    expect(first.response.headers.get("x-runestone-cache")).toBe("miss");
    const second = await client.chat.completions.create(body as never).withResponse();
    expect(calls()).toBe(1);
    expect(second.response.headers.get("x-runestone-cache")).toBe("hit");
    expect(second.data.choices).toEqual(first.data.choices);
    expect(second.data.id).toBe(first.data.id);
    expect(second.data.usage).toEqual(first.data.usage);
    // The routing headers name who produced the cached answer; the hit itself cost nothing.
    expect(second.response.headers.get("x-runestone-provider")).toBe("openai");
    expect(second.response.headers.get("x-runestone-model")).toBe("gpt-4o-mini");
    expect(second.response.headers.get("x-runestone-cost")).toBe("0");
    expect(first.response.headers.get("x-runestone-cost")).not.toBe("0");
    // The request's own metadata, not the first one's.
    const extra = second.data as unknown as Record<string, unknown>;
    expect(extra.request_id).toBe(second.response.headers.get("x-request-id"));
    expect(extra.request_id).not.toBe((first.data as unknown as Record<string, unknown>).request_id);
    expect(extra.provider).toBe("openai");
  });

  it("keys on the canonical body: key order does not matter, any other field does", async () => {
    const body = fresh({ temperature: 0.5, top_p: 0.9 });
    expect((await chat(body)).headers.get("x-runestone-cache")).toBe("miss");
    const reordered = JSON.stringify({ top_p: 0.9, messages: body.messages, temperature: 0.5, model: "gpt-4o-mini", request_id: "mine-1" });
    expect((await chat(reordered)).headers.get("x-runestone-cache")).toBe("hit");
    // Routing fields only pick a deployment of the model routing resolved: the same entry.
    expect((await chat({ ...body, provider: "openai", routing_policy: "default", stream_options: null })).headers.get("x-runestone-cache")).toBe("hit");
    expect((await chat({ ...body, temperature: 0.6 })).headers.get("x-runestone-cache")).toBe("miss");
    expect((await chat({ ...body, seed: 7 })).headers.get("x-runestone-cache")).toBe("miss");
    expect(calls()).toBe(3);
  });

  it("never shares an answer between tenants: the same body from two tenants makes two upstream calls", async () => {
    const body = fresh();
    expect((await chat(body, CACHED_KEY)).headers.get("x-runestone-cache")).toBe("miss");
    expect((await chat(body, CACHED_TWIN_KEY)).headers.get("x-runestone-cache")).toBe("miss");
    expect(calls()).toBe(2);
    expect((await chat(body, CACHED_TWIN_KEY)).headers.get("x-runestone-cache")).toBe("hit");
    expect(calls()).toBe(2);
  });

  it("does not cache errors: upstream 500s (after the retries) and a 400 are answered as errors, and the next request goes upstream", async () => {
    const body = fresh();
    h.upstream.behave({ status: 500 });
    const failed = await chat(body);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(failed.headers.get("x-runestone-cache")).toBe("miss");
    const attempts = calls();
    expect(attempts).toBeGreaterThanOrEqual(1);
    h.upstream.reset();
    h.upstream.behave({ status: 400 }, { times: 1 });
    expect((await chat(body)).status).toBe(400);
    const ok = await chat(body);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-runestone-cache")).toBe("miss");
    expect((await chat(body)).headers.get("x-runestone-cache")).toBe("hit");
    expect(calls()).toBe(2);
  });

  it("is off for a tenant without cache config, even when the request asks with x-runestone-cache: ttl=N", async () => {
    const body = fresh();
    const ttl = { "x-runestone-cache": "ttl=60" };
    expect((await chat(body, PLAIN_KEY)).headers.get("x-runestone-cache")).toBe("bypass");
    // The cache is shared by every tenant: one the operator did not give it cannot fill it (and evict others).
    expect((await chat(body, PLAIN_KEY, ttl)).headers.get("x-runestone-cache")).toBe("bypass");
    expect((await chat(body, PLAIN_KEY, ttl)).headers.get("x-runestone-cache")).toBe("bypass");
    expect(calls()).toBe(3);
  });

  it("caches only the requests that ask with ttl=N for a tenant whose cache block has no ttl_seconds", async () => {
    const body = fresh();
    expect((await chat(body, ON_REQUEST_KEY)).headers.get("x-runestone-cache")).toBe("bypass");
    expect((await chat(body, ON_REQUEST_KEY, { "x-runestone-cache": "ttl=60" })).headers.get("x-runestone-cache")).toBe("miss");
    expect((await chat(body, ON_REQUEST_KEY, { "x-runestone-cache": "ttl=2592000" })).headers.get("x-runestone-cache")).toBe("hit");
    expect((await chat(body, ON_REQUEST_KEY)).headers.get("x-runestone-cache")).toBe("bypass");
    expect(calls()).toBe(3);
  });

  it("x-runestone-cache: no-store neither reads nor writes the cache", async () => {
    const body = fresh();
    expect((await chat(body, CACHED_KEY, { "x-runestone-cache": "no-store" })).headers.get("x-runestone-cache")).toBe("bypass");
    expect((await chat(body)).headers.get("x-runestone-cache")).toBe("miss");
    expect((await chat(body, CACHED_KEY, { "x-runestone-cache": "no-store" })).headers.get("x-runestone-cache")).toBe("bypass");
    expect(calls()).toBe(3);
  });

  it("Cache-Control: no-cache skips the lookup and stores the fresh answer in place of the old one", async () => {
    const body = fresh();
    h.upstream.behave({ reply: { content: "the old answer" } }, { times: 1 });
    await chat(body);
    h.upstream.behave({ reply: { content: "the new answer" } }, { times: 1 });
    const refreshed = await chat(body, CACHED_KEY, { "cache-control": "no-cache" });
    expect(refreshed.headers.get("x-runestone-cache")).toBe("bypass");
    expect(((await refreshed.json()) as OpenAI.ChatCompletion).choices[0]!.message.content).toBe("the new answer");
    const hit = await chat(body);
    expect(hit.headers.get("x-runestone-cache")).toBe("hit");
    expect(((await hit.json()) as OpenAI.ChatCompletion).choices[0]!.message.content).toBe("the new answer");
    expect(calls()).toBe(2);
  });

  it("refuses a malformed x-runestone-cache header, or a TTL past 30 days, with a 400 naming it", async () => {
    for (const header of ["forever", "ttl=2592001", "ttl=9999999", "ttl=0"]) {
      const res = await chat(fresh(), CACHED_KEY, { "x-runestone-cache": header });
      expect(res.status, header).toBe(400);
      const body = (await res.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe("invalid_request_error");
      expect(body.error.message).toMatch(/x-runestone-cache/);
    }
    expect(calls()).toBe(0);
  });

  it("forgets an answer once its TTL passed", async () => {
    const body = fresh();
    expect((await chat(body, ON_REQUEST_KEY, { "x-runestone-cache": "ttl=1" })).headers.get("x-runestone-cache")).toBe("miss");
    expect((await chat(body, ON_REQUEST_KEY, { "x-runestone-cache": "ttl=1" })).headers.get("x-runestone-cache")).toBe("hit");
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await chat(body, ON_REQUEST_KEY, { "x-runestone-cache": "ttl=1" })).headers.get("x-runestone-cache")).toBe("miss");
    expect(calls()).toBe(2);
  });

  it("round-trips n > 1 and tool calls", async () => {
    const body = fresh({
      n: 2,
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { input: { type: "string" } } } } }],
      tool_choice: "required",
    });
    const first = await client.chat.completions.create(body as never);
    const second = await client.chat.completions.create(body as never).withResponse();
    expect(second.response.headers.get("x-runestone-cache")).toBe("hit");
    expect(second.data.choices).toHaveLength(2);
    expect(second.data.choices).toEqual(first.choices);
    expect(second.data.choices[1]!.message.tool_calls![0]).toMatchObject({ type: "function", function: { name: "lookup" } });
    expect(calls()).toBe(1);
  });
});

describe("the deployment that answers is part of the key", () => {
  const ask = async (body: unknown, key = CACHED_KEY) => {
    const res = await chat(body, key);
    const json = (await res.json()) as OpenAI.ChatCompletion;
    return { status: res.status, cache: res.headers.get("x-runestone-cache"), provider: res.headers.get("x-runestone-provider"), content: json.choices?.[0]?.message.content };
  };

  it("never serves one provider's answer to a name that the request's provider sends to another provider", async () => {
    const messages = [{ role: "user", content: `who answers ${++seq}` }];
    const onMock = await ask({ model: "llama3", provider: "mock", messages });
    expect(onMock).toMatchObject({ status: 200, cache: "miss", provider: "mock" });
    expect(calls()).toBe(0);
    const onOpenai = await ask({ model: "llama3", provider: "openai", messages });
    expect(onOpenai).toMatchObject({ status: 200, cache: "miss", provider: "openai" });
    expect(upstreamRequestsFor(h.upstream, "llama3")).toHaveLength(1);
    // Each provider's answer is replayed to its own requests only.
    expect(await ask({ model: "llama3", provider: "mock", messages })).toEqual({ ...onMock, cache: "hit" });
    expect(await ask({ model: "llama3", provider: "openai", messages })).toEqual({ ...onOpenai, cache: "hit" });
    expect(calls()).toBe(1);
  });

  it("keys a provider-pinned request on the pinned deployment, and stores a fallback's answer under the deployment that made it", async () => {
    const body = { model: "gpt-4o-fallback", messages: [{ role: "user", content: `pinned ${++seq}` }] };
    expect(await ask(body)).toMatchObject({ cache: "miss", provider: "openai" });
    // Pinned to the second deployment: the first one's answer is not its answer.
    expect(await ask({ ...body, provider: "backup" })).toMatchObject({ cache: "miss", provider: "backup" });
    expect(upstreamRequestsFor(h.upstream, "backup-model")).toHaveLength(1);
    expect(await ask({ ...body, provider: "backup" })).toMatchObject({ cache: "hit", provider: "backup" });
    expect(await ask({ ...body, provider: "openai" })).toMatchObject({ cache: "hit", provider: "openai" });
    expect(calls()).toBe(2);

    // The primary fails: the backup answers, and that answer is stored as the backup's.
    const other = { ...body, messages: [{ role: "user", content: `fallback ${++seq}` }] };
    h.upstream.behave({ status: 500 }, { model: "primary-model" });
    expect(await ask(other)).toMatchObject({ status: 200, cache: "miss", provider: "backup" });
    expect(await ask({ ...other, provider: "backup" })).toMatchObject({ cache: "hit", provider: "backup" });
    h.upstream.reset();
    // Unpinned, the primary comes first again: it answers for itself.
    expect(await ask(other)).toMatchObject({ cache: "miss", provider: "openai" });
    expect(upstreamRequestsFor(h.upstream, "primary-model")).toHaveLength(1);
  });
});

describe("names that model_patterns route", () => {
  let pat: Harness;
  beforeAll(async () => {
    // The backup provider serves every `llama*` name by its model_patterns; `provider` sends one elsewhere.
    pat = await startHarness({
      configYaml: (u) => testConfigYaml(u, tenants).replace("    api_key: sk-backup-upstream\n", "    api_key: sk-backup-upstream\n    model_patterns: [\"llama*\"]\n"),
    });
  });
  afterAll(() => pat.close());

  it("does not serve a name's pattern-routed answer to the same name sent to another provider, nor the other way round", async () => {
    const ask = async (body: unknown) => {
      const res = await postJson(`${pat.url}/v1/chat/completions`, body, { authorization: `Bearer ${CACHED_KEY}` });
      await res.text();
      return { status: res.status, cache: res.headers.get("x-runestone-cache"), provider: res.headers.get("x-runestone-provider") };
    };
    const body = { model: "llama3-8b", messages: [{ role: "user", content: "which provider" }] };
    expect(await ask(body)).toEqual({ status: 200, cache: "miss", provider: "backup" });
    expect(await ask({ ...body, provider: "openai" })).toEqual({ status: 200, cache: "miss", provider: "openai" });
    expect(await ask(body)).toEqual({ status: 200, cache: "hit", provider: "backup" });
    expect(await ask({ ...body, provider: "openai" })).toEqual({ status: 200, cache: "hit", provider: "openai" });
    expect(pat.upstream.requests.filter((r) => r.path === "/v1/chat/completions")).toHaveLength(2);
  });
});

describe("the response cache on streams", () => {
  it("replays a streamed answer as a stream to the openai SDK, with one upstream call", async () => {
    const body = fresh({ stream: true, stream_options: { include_usage: true } });
    const collect = async () => {
      const { data: stream, response } = await client.chat.completions.create(body as never).withResponse();
      let text = "";
      let usage: unknown;
      for await (const chunk of stream as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) {
        text += chunk.choices[0]?.delta?.content ?? "";
        if (chunk.usage) usage = chunk.usage;
      }
      return { text, usage, cache: response.headers.get("x-runestone-cache"), provider: response.headers.get("x-runestone-provider") };
    };
    const first = await collect();
    const second = await collect();
    expect(first.cache).toBe("miss");
    expect(second).toEqual({ ...first, cache: "hit" });
    expect(second.text).toBe(`echo: question number ${seq}`);
    expect(calls()).toBe(1);
  });

  it("replays as proper SSE: the role first, routing fields, usage only when asked, and data: [DONE] last", async () => {
    const body = fresh({ stream: true });
    await (await chat(body)).text();
    const res = await chat(body);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    expect(res.headers.get("x-runestone-cache")).toBe("hit");
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Record<string, unknown> & OpenAI.ChatCompletionChunk);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks[0]).toMatchObject({ object: "chat.completion.chunk", provider: "openai", routing_policy: "default", request_id: res.headers.get("x-request-id") });
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    const withUsage = await chat({ ...body, stream_options: { include_usage: true } });
    const last = JSON.parse((await readSse(withUsage)).at(-2)!) as OpenAI.ChatCompletionChunk;
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBeGreaterThan(0);
    expect(calls()).toBe(1);
  });

  it("serves a JSON-stored answer to a stream request, and a streamed answer to a JSON request", async () => {
    const a = fresh();
    const json = (await (await chat(a)).json()) as OpenAI.ChatCompletion;
    const streamed = await chat({ ...a, stream: true });
    expect(streamed.headers.get("x-runestone-cache")).toBe("hit");
    const text = (await readSse(streamed)).slice(0, -1).map((e) => (JSON.parse(e) as OpenAI.ChatCompletionChunk).choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe(json.choices[0]!.message.content);

    const b = fresh({ stream: true, stream_options: { include_usage: true } });
    const events = await readSse(await chat(b));
    const streamedText = events.slice(0, -1).map((e) => (JSON.parse(e) as OpenAI.ChatCompletionChunk).choices[0]?.delta?.content ?? "").join("");
    const fromStream = await client.chat.completions.create({ ...b, stream: false, stream_options: undefined } as never).withResponse();
    expect(fromStream.response.headers.get("x-runestone-cache")).toBe("hit");
    expect(fromStream.data.object).toBe("chat.completion");
    expect(fromStream.data.choices[0]!.message.content).toBe(streamedText);
    expect(fromStream.data.choices[0]!.finish_reason).toBe("stop");
    expect(fromStream.data.usage?.total_tokens).toBeGreaterThan(0);
    expect(calls()).toBe(2);
  });

  it("round-trips a streamed tool call with n = 2 into a JSON hit and a stream hit", async () => {
    const body = fresh({ n: 2, tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }], tool_choice: "required" });
    const original = await client.chat.completions.create({ ...body, stream: true } as never);
    for await (const _ of original as unknown as AsyncIterable<unknown>) void _;
    const json = await client.chat.completions.create(body as never).withResponse();
    expect(json.response.headers.get("x-runestone-cache")).toBe("hit");
    expect(json.data.choices).toHaveLength(2);
    for (const c of json.data.choices) {
      expect(c.finish_reason).toBe("tool_calls");
      expect(c.message.tool_calls).toHaveLength(1);
      expect(JSON.parse((c.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments)).toEqual({ input: `question number ${seq}` });
    }
    const again = await client.chat.completions.create({ ...body, stream: true } as never);
    const args = ["", ""];
    for await (const chunk of again as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) {
      for (const c of chunk.choices) for (const t of c.delta.tool_calls ?? []) args[c.index] += t.function?.arguments ?? "";
    }
    expect(args.map((a) => JSON.parse(a))).toEqual([{ input: `question number ${seq}` }, { input: `question number ${seq}` }]);
    expect(calls()).toBe(1);
  });

  it("does not store a stream the upstream cut, nor one that failed mid-stream", async () => {
    const cut = fresh({ stream: true });
    h.upstream.behave({ cutAfter: 1 }, { times: 1 });
    const events = await readSse(await chat(cut));
    expect(events.at(-1)).not.toBe("[DONE]");
    expect((await chat(cut)).headers.get("x-runestone-cache")).toBe("miss");

    const failing = fresh({ stream: true });
    h.upstream.behave({ midStreamError: 1 }, { times: 1 });
    expect((await readSse(await chat(failing))).at(-1)).toMatch(/"error"/);
    const next = await chat(failing);
    expect(next.headers.get("x-runestone-cache")).toBe("miss");
    expect((await readSse(next)).at(-1)).toBe("[DONE]");
    expect((await chat(failing)).headers.get("x-runestone-cache")).toBe("hit");
    expect(calls()).toBe(4);
  });
});

describe("what a hit costs", () => {
  it("charges no tokens against the token limit and records no tokens in the usage ledger, but counts a request", async () => {
    const key = LIMITED_KEY;
    const body = { model: "gpt-4o-mini", max_tokens: 10, messages: [{ role: "user", content: "limited question" }] };
    const first = await chat(body, key);
    expect(first.status).toBe(200);
    const used = ((await first.json()) as OpenAI.ChatCompletion).usage!.total_tokens;
    const cost = Number(first.headers.get("x-runestone-cost"));
    expect(cost).toBeGreaterThan(0);
    const requestsLeft = Number(first.headers.get("x-ratelimit-remaining-requests"));
    const hit = await chat(body, key);
    expect(hit.headers.get("x-runestone-cache")).toBe("hit");
    // The window holds the upstream call's reconciled tokens only: the hit reserved none.
    expect(Number(hit.headers.get("x-ratelimit-remaining-tokens"))).toBe(60 - used);
    expect(Number(hit.headers.get("x-ratelimit-remaining-requests"))).toBe(requestsLeft - 1);
    // Hits still count against requests per minute (4): two more hits use it up, the next one is a 429.
    expect((await chat(body, key)).status).toBe(200);
    expect((await chat(body, key)).status).toBe(200);
    const refused = await chat(body, key);
    expect(refused.status).toBe(429);
    // Found in the cache, but not answered from it.
    expect(refused.headers.get("x-runestone-cache")).toBe("bypass");
    expect(calls()).toBe(1);
    const usage = await fetch(`${h.url}/v1/usage?group_by=model`, { headers: { authorization: `Bearer ${key}` } });
    const rows = ((await usage.json()) as { data: Array<Record<string, number>> }).data;
    // Only the upstream call is charged (its tokens and cost, one request); the three hits are counted with
    // what they saved, and no tokens.
    expect(rows).toEqual([
      expect.objectContaining({ model: "gpt-4o-mini", requests: 1, total_tokens: used, cache_hits: 3, unpriced_requests: 0 }),
    ]);
    expect(rows[0]!.cost_usd).toBeCloseTo(cost, 9);
    expect(rows[0]!.saved_usd).toBeCloseTo(3 * cost, 9);
  });

  it("spends nothing of a budget: the remaining budget after hits is the budget less the one upstream call", async () => {
    const body = fresh();
    const first = await chat(body, BUDGET_KEY);
    const cost = Number(first.headers.get("x-runestone-cost"));
    expect(cost).toBeGreaterThan(0);
    await first.text();
    for (let i = 0; i < 3; i++) {
      const hit = await chat(body, BUDGET_KEY);
      expect(hit.headers.get("x-runestone-cache")).toBe("hit");
      expect(Number(hit.headers.get("x-runestone-budget-remaining-usd"))).toBeCloseTo(1 - cost, 9);
      await hit.text();
    }
    expect(calls()).toBe(1);
  });

  it("counts hits, misses and the saved cost in /metrics", async () => {
    const body = fresh();
    await chat(body, CACHED_TWIN_KEY);
    await chat(body, CACHED_TWIN_KEY);
    await chat(body, CACHED_TWIN_KEY);
    const samples = parseMetrics(await (await fetch(`${h.url}/metrics`)).text());
    expect(sum(samples, "runestone_cache_requests_total", { result: "hit", tenant: "cached-twin" })).toBeGreaterThanOrEqual(2);
    expect(sum(samples, "runestone_cache_requests_total", { result: "miss", tenant: "cached-twin" })).toBeGreaterThanOrEqual(1);
    expect(sum(samples, "runestone_cache_saved_usd_total", { tenant: "cached-twin" })).toBeGreaterThan(0);
    // The log line says so too, without tokens for the hit.
    const hitLine = h.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.cache === "hit" && l.tenant === "cached-twin");
    expect(hitLine).toMatchObject({ status: 200, provider: "openai", model: "gpt-4o-mini" });
    expect(hitLine!.cache_saved_usd).toBeGreaterThan(0);
    expect(hitLine!.prompt_tokens).toBeUndefined();
  });
});

describe("the embedded cache's size bound", () => {
  let small: Harness;
  beforeAll(async () => {
    // About 10 KB of answers: two of the ~4.5 KB answers below fit, a third evicts the least recently used.
    small = await startHarness({ configYaml: (u) => testConfigYaml(u, `${tenants}cache: { max_size_mb: 0.01 }\n`) });
    small.upstream.behave({ hugeResponseBytes: 4_000 });
  });
  afterAll(() => small.close());

  it("evicts the least recently used answer when the stored JSON exceeds cache.max_size_mb", async () => {
    const ask = async (body: unknown) => {
      const res = await postJson(`${small.url}/v1/chat/completions`, body, { authorization: `Bearer ${CACHED_KEY}` });
      await res.text();
      return res.headers.get("x-runestone-cache");
    };
    const [a, b, c] = [fresh(), fresh(), fresh()];
    expect(await ask(a)).toBe("miss");
    expect(await ask(b)).toBe("miss");
    expect(await ask(a)).toBe("hit"); // a is now the most recently used
    expect(await ask(c)).toBe("miss"); // evicts b, not a
    expect(await ask(a)).toBe("hit");
    expect(await ask(b)).toBe("miss"); // evicts c (a was used after it)
    expect(await ask(b)).toBe("hit");
    expect(await ask(c)).toBe("miss");
    expect(small.upstream.requests.filter((r) => r.path === "/v1/chat/completions")).toHaveLength(5);
  });
});

describe("the response cache's scope", () => {
  it("replays on POST /v1/chat/stream an answer stored from POST /v1/chat/completions", async () => {
    const body = fresh();
    const json = (await (await chat(body)).json()) as OpenAI.ChatCompletion;
    const res = await postJson(`${h.url}/v1/chat/stream`, body, { authorization: `Bearer ${CACHED_KEY}` });
    expect(res.headers.get("x-runestone-cache")).toBe("hit");
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    const text = events.slice(0, -1).map((e) => (JSON.parse(e) as OpenAI.ChatCompletionChunk).choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe(json.choices[0]!.message.content);
    expect(calls()).toBe(1);
  });

  it("caches a request routed by cost (no model) under the deployment the policy chooses", async () => {
    const body = { model_family: "general", capabilities: ["chat"], routing_policy: "cost", provider: "openai", messages: [{ role: "user", content: `cost routed ${++seq}` }] };
    const first = await chat(body);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-runestone-cache")).toBe("miss");
    const second = await chat(body);
    expect(second.headers.get("x-runestone-cache")).toBe("hit");
    expect(second.headers.get("x-runestone-model")).toBe(first.headers.get("x-runestone-model"));
    // Other constraints that choose the same deployment send it the same request: the same entry, as does
    // naming the model it chose.
    expect((await chat({ ...body, max_cost_per_token: 0.01 })).headers.get("x-runestone-cache")).toBe("hit");
    const { model_family: _f, capabilities: _c, routing_policy: _r, provider: _p, ...named } = body;
    expect((await chat({ ...named, model: first.headers.get("x-runestone-model") })).headers.get("x-runestone-cache")).toBe("hit");
    expect(calls()).toBe(1);
  });

  it("leaves /v1/messages alone: no x-runestone-cache header, every request goes upstream", async () => {
    const body = { model: "gpt-4o-mini", max_tokens: 50, messages: [{ role: "user", content: `messages ${++seq}` }] };
    for (let i = 0; i < 2; i++) {
      const res = await postJson(`${h.url}/v1/messages`, body, { authorization: `Bearer ${CACHED_KEY}` });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-runestone-cache")).toBeNull();
      await res.text();
    }
    expect(calls()).toBe(2);
  });
});
