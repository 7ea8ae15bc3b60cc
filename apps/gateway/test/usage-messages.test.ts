// /v1/messages is accounted in the usage ledger like chat: tokens and cost for the tenant that called.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, KEYS, limitsConfigYaml, startInstances, tempSqlitePath, within, type Instances } from "./limits-harness";

const db = tempSqlitePath();
let gw: Instances;
let url: string;

beforeAll(async () => {
  gw = await startInstances(1, (u) => limitsConfigYaml(u, `{ sqlite_path: ${db.path} }`));
  url = gw.urls[0]!;
});
afterAll(async () => {
  await gw.close();
  db.cleanup();
});

describe("usage of /v1/messages", () => {
  it("records the translated call's tokens and cost for the calling tenant", async () => {
    const res = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEYS.alpha, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "gpt-4o-mini", max_tokens: 100, messages: [{ role: "user", content: "hello there" }] }),
    });
    expect(res.status).toBe(200);
    const message = (await res.json()) as { usage: { input_tokens: number; output_tokens: number } };
    let rows: Array<{ model: string; requests: number; prompt_tokens: number; completion_tokens: number; cost_usd: number }> = [];
    await within(3_000, async () => {
      const r = await api(url, KEYS.alpha, "GET", "/v1/usage");
      rows = ((await r.json()) as { data?: typeof rows }).data ?? [];
      return rows.length > 0;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ model: "gpt-4o-mini", requests: 1, prompt_tokens: message.usage.input_tokens, completion_tokens: message.usage.output_tokens });
    expect(rows[0]!.cost_usd).toBeCloseTo((message.usage.input_tokens * 0.15 + message.usage.output_tokens * 0.6) / 1e6, 15);
    const beta = await api(url, KEYS.beta, "GET", "/v1/usage");
    expect(((await beta.json()) as { data: unknown[] }).data).toEqual([]);
  });

  it("accounts a translated stream the client cut short: the prompt estimate and what was streamed, not the opening placeholder", async () => {
    gw.upstream.behave({ chunkDelayMs: 150 }, { model: "drip-model" });
    const ac = new AbortController();
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
    const res = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEYS.beta, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "drip", max_tokens: 200, stream: true, messages: [{ role: "user", content: words }] }),
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes("word2")) seen += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    let row: { requests: number; prompt_tokens: number; completion_tokens: number } | undefined;
    await within(3_000, async () => {
      const r = await api(url, KEYS.beta, "GET", "/v1/usage");
      row = (((await r.json()) as { data?: Array<typeof row & { model: string }> }).data ?? []).find((x) => x?.model === "drip");
      return row !== undefined;
    });
    gw.upstream.reset();
    expect(row).toMatchObject({ requests: 1 });
    // The opening message_start of a translated stream says 0 and 0: the ledger must not take that as final.
    expect(row!.prompt_tokens).toBeGreaterThan(0);
    expect(row!.completion_tokens).toBeGreaterThan(0);
    expect(row!.completion_tokens).toBeLessThan(25);
  });
});
