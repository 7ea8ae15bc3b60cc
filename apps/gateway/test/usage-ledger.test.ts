// The usage ledger end to end (embedded mode): tokens and cost per tenant, model, day and label, for
// JSON and streamed answers and for a stream the client cut short; each tenant sees only its own
// usage, the admin key sees every tenant.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estimatePromptTokens } from "../src/core/estimate-tokens";
import type { ChatRequest } from "../src/core/provider-contract";
import { ADMIN_KEY, api, chat, KEYS, limitsConfigYaml, startInstances, tempSqlitePath, within, type Instances } from "./limits-harness";

let gw: Instances;
let url: string;
const db = tempSqlitePath();
const today = new Date().toISOString().slice(0, 10);

interface Row {
  tenant_id?: string;
  day?: string;
  model?: string;
  label?: string | null;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

async function usage(key: string, query = ""): Promise<{ status: number; rows: Row[] }> {
  const res = await api(url, key, "GET", `/v1/usage${query}`);
  const body = (await res.json()) as { data?: Row[] };
  return { status: res.status, rows: body.data ?? [] };
}

beforeAll(async () => {
  gw = await startInstances(1, (u) => limitsConfigYaml(u, `{ sqlite_path: ${db.path} }`));
  url = gw.urls[0]!;
  // alpha: 3 JSON requests (one labelled) and 1 stream; beta: 2 requests.
  for (const body of [{}, {}, { tenant_id: "team-search" }, { stream: true }]) await (await chat(url, KEYS.alpha, body)).text();
  for (let i = 0; i < 2; i++) await (await chat(url, KEYS.beta)).text();
});

afterAll(async () => {
  await gw.close();
  db.cleanup();
});

describe("GET /v1/usage", () => {
  it("adds up a tenant's tokens and cost per day and model, priced from the catalog", async () => {
    // "hello there": the mock counts 2 words + 3 per message = 5 prompt tokens, and answers "echo: hello there" (3).
    let rows: Row[] = [];
    await within(3_000, async () => {
      rows = (await usage(KEYS.alpha)).rows;
      return rows[0]?.requests === 4;
    });
    expect(rows).toEqual([{ day: today, model: "gpt-4o-mini", requests: 4, prompt_tokens: 20, completion_tokens: 12, cached_tokens: 0, total_tokens: 32, cost_usd: expect.any(Number), unpriced_requests: 0, cache_hits: 0, saved_usd: 0 }]);
    expect(rows[0]!.cost_usd).toBeCloseTo((20 * 0.15 + 12 * 0.6) / 1e6, 15);
  });

  it("never shows one tenant another tenant's usage", async () => {
    const beta = await usage(KEYS.beta, "?group_by=tenant");
    expect(beta.rows).toEqual([expect.objectContaining({ tenant_id: "beta", requests: 2 })]);
    const prying = await usage(KEYS.beta, "?tenant_id=alpha");
    expect(prying.status).toBe(403);
  });

  it("breaks usage down by the tenant_id label", async () => {
    const { rows } = await usage(KEYS.alpha, "?group_by=label");
    expect(rows).toEqual([expect.objectContaining({ label: null, requests: 3 }), expect.objectContaining({ label: "team-search", requests: 1 })]);
  });

  it("shows the admin key every tenant, or one tenant when asked", async () => {
    const all = await usage(ADMIN_KEY, "?group_by=tenant");
    expect(all.rows.map((r) => [r.tenant_id, r.requests])).toEqual([
      ["alpha", 4],
      ["beta", 2],
    ]);
    const one = await usage(ADMIN_KEY, "?tenant_id=beta&group_by=none");
    expect(one.rows).toEqual([expect.objectContaining({ requests: 2, total_tokens: 16 })]);
    expect(one.rows[0]!.tenant_id).toBeUndefined();
  });

  it("answers an empty report for days without usage, and 400 for a reversed range", async () => {
    expect((await usage(KEYS.alpha, "?from=2020-01-01&to=2020-01-31")).rows).toEqual([]);
    expect((await usage(KEYS.alpha, "?from=2020-02-01&to=2020-01-01")).status).toBe(400);
    expect((await usage(KEYS.alpha, "?group_by=colour")).status).toBe(400);
  });

  it("accounts the tokens a stream delivered before the client went away", async () => {
    gw.upstream.behave({ chunkDelayMs: 150 }, { model: "drip-model" });
    const ac = new AbortController();
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
    const res = await chat(url, KEYS.beta, { model: "drip", stream: true, messages: [{ role: "user", content: words }] }, { signal: ac.signal });
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes("word2")) seen += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    let row: Row | undefined;
    await within(3_000, async () => {
      row = (await usage(KEYS.beta)).rows.find((r) => r.model === "drip");
      return row !== undefined;
    });
    gw.upstream.reset();
    expect(row).toBeDefined();
    expect(row!.requests).toBe(1);
    expect(row!.completion_tokens).toBeGreaterThan(0);
    // Far fewer than the ~31 words of the whole answer.
    expect(row!.completion_tokens).toBeLessThan(25);
    expect(row!.prompt_tokens).toBeGreaterThan(0);
    expect(row!.cost_usd).toBeCloseTo((row!.prompt_tokens * 1 + row!.completion_tokens * 2) / 1e6, 12);
  });

  it("accounts the prompt of a request whose client went away before any answer, since the provider already had it", async () => {
    gw.upstream.reset();
    gw.upstream.behave({ stall: "before-headers" }, { model: "stall-model" });
    const messages = [{ role: "user", content: Array.from({ length: 40 }, (_, i) => `token${i}`).join(" ") }];
    for (const [i, stream] of [false, true].entries()) {
      const ac = new AbortController();
      const pending = chat(url, KEYS.beta, { model: "slow", stream, messages }, { signal: ac.signal }).catch(() => undefined);
      await within(3_000, async () => gw.upstream.requests.length > i);
      ac.abort();
      await pending;
    }
    let row: Row | undefined;
    await within(3_000, async () => {
      row = (await usage(KEYS.beta)).rows.find((r) => r.model === "slow");
      return row?.requests === 2;
    });
    gw.upstream.reset();
    // No usage report came: the gateway's own prompt estimate, the same one its token limits reserve.
    expect(row).toMatchObject({ requests: 2, prompt_tokens: 2 * estimatePromptTokens({ messages } as ChatRequest), completion_tokens: 0 });
  });

  it("estimates the tokens of an answer that came without a usage report, from the prompt and the answer's text", async () => {
    gw.upstream.reset();
    gw.upstream.behave({ omitUsage: true }, { model: "drip-model" });
    const messages = [{ role: "user", content: "an answer without any usage report" }];
    const res = await chat(url, KEYS.alpha, { model: "drip", messages });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage?: unknown; choices: Array<{ message: { content: string } }> };
    expect(body.usage).toBeUndefined();
    let row: Row | undefined;
    await within(3_000, async () => {
      row = (await usage(KEYS.alpha)).rows.find((r) => r.model === "drip");
      return row !== undefined;
    });
    gw.upstream.reset();
    expect(row).toMatchObject({
      requests: 1,
      prompt_tokens: estimatePromptTokens({ messages } as ChatRequest),
      completion_tokens: Math.ceil(body.choices[0]!.message.content.length / 4),
    });
  });

  it("accounts nothing for a request the provider refused with an error", async () => {
    gw.upstream.reset();
    gw.upstream.behave({ status: 400 }, { model: "stall-model" });
    const res = await chat(url, KEYS.alpha, { model: "slow" });
    expect(res.status).toBe(400);
    await res.text();
    gw.upstream.reset();
    await new Promise((r) => setTimeout(r, 200));
    expect((await usage(KEYS.alpha)).rows.find((r) => r.model === "slow")).toBeUndefined();
  });

  it("needs a key", async () => {
    expect((await api(url, undefined, "GET", "/v1/usage")).status).toBe(401);
  });
});
