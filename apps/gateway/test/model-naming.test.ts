// Issue 15: any model of a configured provider, without editing the catalog. On the shipped default config
// (keys set, base URLs at the mock upstream): `<provider>/<model>`, bare names by model_patterns and catalog ids
// on every endpoint, with the upstream seeing exactly the model id it should; prices from the dated table,
// `unknown` cost for the rest; tenants' allowed_models globs; the 404 that says how to reach a model.
import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfigPath, parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, readSse, tempSqlitePath } from "./harness";
import { parseMetrics, sum } from "./metrics-text";

const DEV = "sk-runestone-dev";
const NARROW = "sk-test-narrow-tenant-0123";
const OPENAI_KEY = "sk-test-openai-upstream-key";
const ANTHROPIC_KEY = "sk-ant-test-upstream-key";

let upstream: MockUpstream;
let gw: RunningGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const env = { OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: `${upstream.url}/v1`, ANTHROPIC_API_KEY: ANTHROPIC_KEY, ANTHROPIC_BASE_URL: upstream.url, RUNESTONE_DATA_FILE: tempSqlitePath() };
  // The shipped file as is, plus one tenant limited by globs.
  const text = readFileSync(defaultConfigPath, "utf8").replace(
    /^tenants:\n/m,
    `tenants:\n  - id: narrow\n    keys: [${NARROW}]\n    allowed_models: ["openai/*", "anthropic/claude-haiku-*"]\n`,
  );
  const { config } = parseConfig(text, env);
  gw = await startGateway({ config, logger: createLogger("silent", new LogCapture()), port: 0, validateResponses: true });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

const post = (path: string, body: unknown, key = DEV) =>
  fetch(`${gw.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
const get = (path: string, key = DEV) => fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
const hi = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: "user", content: "hi" }], ...extra });

/** The last request the mock received on a path, after a call. */
function lastUpstream(path: string) {
  const r = upstream.requests.filter((x) => x.path.startsWith(path)).at(-1);
  expect(r, `no upstream request on ${path}`).toBeDefined();
  return r!;
}

describe("<provider>/<model> reaches that provider with <model> as the upstream id", () => {
  it("on chat completions (OpenAI), priced from the dated table", async () => {
    const res = await post("/v1/chat/completions", hi("openai/gpt-4.1-nano"));
    expect(res.status).toBe(200);
    expect((lastUpstream("/v1/chat/completions").body as { model: string }).model).toBe("gpt-4.1-nano");
    expect(lastUpstream("/v1/chat/completions").headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(res.headers.get("x-runestone-provider")).toBe("openai");
    expect(res.headers.get("x-runestone-cost")).toMatch(/^\d+(\.\d+)?$/);
    expect(Number(res.headers.get("x-runestone-cost"))).toBeGreaterThan(0);
  });

  it("on chat completions (Anthropic, translated), a dated id priced by its undated entry", async () => {
    const res = await post("/v1/chat/completions", hi("anthropic/claude-3-5-sonnet-20241022"));
    expect(res.status).toBe(200);
    const sent = lastUpstream("/v1/messages");
    expect((sent.body as { model: string }).model).toBe("claude-3-5-sonnet-20241022");
    expect(sent.headers["x-api-key"]).toBe(ANTHROPIC_KEY);
    expect(res.headers.get("x-runestone-provider")).toBe("anthropic");
    expect(Number(res.headers.get("x-runestone-cost"))).toBeGreaterThan(0);
  });

  it("on /v1/chat/stream and stream: true", async () => {
    const res = await post("/v1/chat/stream", hi("openai/gpt-4o-mini"));
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    expect((await readSse(res)).at(-1)).toBe("[DONE]");
    expect((lastUpstream("/v1/chat/completions").body as { model: string; stream: boolean })).toMatchObject({ model: "gpt-4o-mini", stream: true });
    const s2 = await post("/v1/chat/completions", hi("anthropic/claude-3-7-sonnet-latest", { stream: true }));
    expect((await readSse(s2)).at(-1)).toBe("[DONE]");
    expect((lastUpstream("/v1/messages").body as { model: string }).model).toBe("claude-3-7-sonnet-latest");
  });

  it("on /v1/messages (Anthropic passthrough and OpenAI translation)", async () => {
    const body = (model: string) => ({ model, max_tokens: 50, messages: [{ role: "user", content: "hi" }] });
    const a = await post("/v1/messages", body("anthropic/claude-3-5-haiku-20241022"));
    expect(a.status).toBe(200);
    expect((lastUpstream("/v1/messages").body as { model: string }).model).toBe("claude-3-5-haiku-20241022");
    const o = await post("/v1/messages", body("openai/gpt-4.1-mini"));
    expect(o.status).toBe(200);
    expect((lastUpstream("/v1/chat/completions").body as { model: string }).model).toBe("gpt-4.1-mini");
  });

  it("on /v1/embeddings", async () => {
    const res = await post("/v1/embeddings", { model: "openai/text-embedding-3-large", input: "hello" });
    expect(res.status).toBe(200);
    expect((lastUpstream("/v1/embeddings").body as { model: string }).model).toBe("text-embedding-3-large");
  });
});

describe("bare names route by the providers' model_patterns", () => {
  it.each([
    ["gpt-4o-mini", "/v1/chat/completions"],
    ["o3-mini", "/v1/chat/completions"],
    ["chatgpt-4o-latest", "/v1/chat/completions"],
    ["claude-3-5-sonnet", "/v1/messages"],
    ["claude-3-5-sonnet-20241022", "/v1/messages"],
  ])("%s goes to %s upstream under its own name", async (model, path) => {
    const res = await post("/v1/chat/completions", hi(model));
    expect(res.status).toBe(200);
    expect((lastUpstream(path).body as { model: string }).model).toBe(model);
  });

  it("embeds with text-embedding-* and answers GET /v1/models/{name} for it", async () => {
    const res = await post("/v1/embeddings", { model: "text-embedding-3-large", input: ["a", "b"] });
    expect(res.status).toBe(200);
    expect((lastUpstream("/v1/embeddings").body as { model: string }).model).toBe("text-embedding-3-large");
    const m = await (await get("/v1/models/text-embedding-3-large")).json();
    expect(m).toMatchObject({ id: "text-embedding-3-large", provider: "openai", source: "model_pattern", capabilities: ["embeddings"], pricing: { input_per_1m: 0.13 } });
  });

  it("lets a catalog entry win over a pattern", async () => {
    const m = await (await get("/v1/models/gpt-6-luna")).json();
    expect(m).toMatchObject({ id: "gpt-6-luna", source: "catalog", pricing: { input_per_1m: 0.1 } });
    const res = await post("/v1/chat/completions", hi("gpt-6-luna"));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-model")).toBe("gpt-6-luna");
  });
});

describe("a model without a price", () => {
  it("is served, says x-runestone-cost: unknown, and is recorded with its tokens and cost null", async () => {
    const res = await post("/v1/chat/completions", hi("openai/gpt-99-preview"));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-cost")).toBe("unknown");
    expect((lastUpstream("/v1/chat/completions").body as { model: string }).model).toBe("gpt-99-preview");
    const stream = await post("/v1/chat/stream", hi("gpt-99-preview"));
    expect(stream.headers.get("x-runestone-cost")).toBe("unknown");
    await readSse(stream);
    // The ledger is written when the response closes: poll the report (bounded).
    type Row = { model: string; requests: number; prompt_tokens: number; cost_usd: number | null; unpriced_requests: number };
    let rows: Row[] = [];
    for (let i = 0; i < 50; i++) {
      rows = ((await (await get("/v1/usage?group_by=model")).json()) as { data: Row[] }).data;
      if (rows.some((r) => r.model === "gpt-99-preview")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const unpriced = rows.find((r) => r.model === "openai/gpt-99-preview")!;
    expect(unpriced).toMatchObject({ requests: 1, cost_usd: null, unpriced_requests: 1 });
    expect(unpriced.prompt_tokens).toBeGreaterThan(0);
    expect(rows.find((r) => r.model === "gpt-99-preview")).toMatchObject({ cost_usd: null });
    const priced = rows.find((r) => r.model === "openai/gpt-4.1-nano")!;
    expect(priced.cost_usd).toBeGreaterThan(0);
    expect(priced.unpriced_requests).toBe(0);
  });

  it("adds its tokens to the metrics but nothing to the cost counter", async () => {
    const scrape = async () => parseMetrics(await (await fetch(`${gw.url}/metrics`)).text());
    const before = await scrape();
    const res = await post("/v1/chat/completions", hi("openai/gpt-unpriced-metrics"));
    expect(res.status).toBe(200);
    let after = await scrape();
    for (let i = 0; i < 50 && sum(after, "runestone_input_tokens_total") === sum(before, "runestone_input_tokens_total"); i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await scrape();
    }
    expect(sum(after, "runestone_input_tokens_total")).toBeGreaterThan(sum(before, "runestone_input_tokens_total"));
    expect(sum(after, "runestone_cost_usd_total")).toBe(sum(before, "runestone_cost_usd_total"));
  });

  it("is described without pricing or capabilities by GET /v1/models/{id}", async () => {
    const m = (await (await get("/v1/models/openai/gpt-99-preview")).json()) as Record<string, unknown>;
    expect(m).toMatchObject({ id: "openai/gpt-99-preview", provider: "openai", upstream_model: "gpt-99-preview", source: "provider_prefix", available: true });
    expect(m.pricing).toBeUndefined();
    expect(m.capabilities).toBeUndefined();
  });

  it("is never chosen by the cost policy: the seed's cost-aware request picks a priced catalog model", async () => {
    const res = await post("/v1/chat/completions", {
      messages: [{ role: "user", content: "Summarize this" }],
      model_family: "general",
      max_cost_per_token: 0.0001,
      capabilities: ["chat", "streaming"],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-routing-policy")).toBe("cost");
    expect(res.headers.get("x-runestone-model")).toBe("gpt-6-luna");
    expect(Number(res.headers.get("x-runestone-cost"))).toBeGreaterThan(0);
  });
});

describe("GET /v1/models and /v1/models/{id}", () => {
  it("answers provider/model with its slash as is or percent-encoded (the OpenAI SDK's way)", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: DEV, maxRetries: 0 });
    const viaSdk = (await client.models.retrieve("anthropic/claude-3-5-sonnet-20241022")) as unknown as Record<string, any>;
    expect(viaSdk).toMatchObject({ id: "anthropic/claude-3-5-sonnet-20241022", provider: "anthropic", upstream_model: "claude-3-5-sonnet-20241022" });
    expect(viaSdk.pricing).toMatchObject({ input_per_1m: 3, output_per_1m: 15, cached_input_per_1m: 0.3 });
    expect(viaSdk.pricing_source).toContain("anthropic.com");
    const literal = await (await get("/v1/models/anthropic/claude-3-5-sonnet-20241022")).json();
    expect(literal).toEqual(viaSdk);
  });

  it("answers 404 for a name that reaches nothing, saying how to reach it", async () => {
    const bare = await get("/v1/models/llama-3.3-70b");
    expect(bare.status).toBe(404);
    const e1 = ((await bare.json()) as { error: { code: string; message: string } }).error;
    expect(e1.code).toBe("model_not_found");
    expect(e1.message).toContain("'openai/llama-3.3-70b'");
    expect(e1.message).toContain("model_patterns");
    const chat = await post("/v1/chat/completions", hi("groq/llama-3.3-70b"));
    expect(chat.status).toBe(404);
    const e2 = ((await chat.json()) as { error: { code: string; message: string } }).error;
    expect(e2.code).toBe("model_not_found");
    expect(e2.message).toContain("add providers.groq to the config");
  });
});

describe("tenants' allowed_models take provider/model forms and globs", () => {
  it.each([
    ["openai/gpt-4o-mini", 200],
    ["gpt-4o-mini", 200], // a pattern-matched name is openai/gpt-4o-mini
    ["gpt-6-luna", 200], // a catalog model deployed on openai
    ["anthropic/claude-haiku-4-5", 200],
    ["claude-haiku-5-5", 200],
    ["claude-3-5-sonnet", 403],
    ["anthropic/claude-opus-5", 403],
    ["mock-echo", 403],
  ])("%s answers %i", async (model, status) => {
    const res = await post("/v1/chat/completions", hi(model), NARROW);
    expect(res.status).toBe(status);
    if (status === 403) expect(((await res.json()) as { error: { code: string } }).error.code).toBe("model_not_allowed");
    else expect(lastUpstream(model.includes("claude") ? "/v1/messages" : "/v1/chat/completions").body).toMatchObject({ model: model.replace(/^\w+\//, "") });
  });

  it("lists only what the tenant may use, and refuses the others by id", async () => {
    const ids = ((await (await get("/v1/models", NARROW)).json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["gpt-6-luna", "claude-haiku-5-5"]));
    expect(ids).not.toContain("claude-opus-5");
    expect(ids).not.toContain("mock-echo");
    expect((await get("/v1/models/claude-opus-5", NARROW)).status).toBe(403);
    expect((await get("/v1/models/openai/gpt-4o", NARROW)).status).toBe(200);
  });
});
