// Spending budgets in embedded mode (issue 18): a burst refused exactly at the limit, the error through the
// official openai SDK, the remaining-budget header, the reset at the period's end (on a clock the test moves),
// the spend kept across a restart on the same SQLite file, key and tenant budgets, unpriced models, the usage
// report and the refusal metric. Every request reserves and spends exactly $1 (budgets-harness.ts).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { tempSqlitePath } from "./harness";
import { upstreamSaw, waitFinal } from "./jobs-harness";
import { ADMIN_KEY, budgetsConfigYaml, budgetsOf, budgetTenant, dollarRequest, key, oneTokenAnswers, post, startBudgetGateway, type BudgetGateway } from "./budgets-harness";

// 23:00 UTC: an hour before the day's budgets reset. Far in the future, so nothing else's clock interferes.
const START = Date.parse("2031-03-14T23:00:00Z");
let now = START;
const clock = () => now;

const tenants = [
  budgetTenant("burst", "{ amount_usd: 5, period: day }"),
  budgetTenant("sdk", "{ amount_usd: 2, period: day }"),
  budgetTenant("reset", "{ amount_usd: 2, period: day }"),
  budgetTenant("monthly", "{ amount_usd: 1, period: month }"),
  budgetTenant("keyed", "{ amount_usd: 5, period: day }"),
  budgetTenant("strict", "{ amount_usd: 5, period: day }"),
  budgetTenant("lenient", "{ amount_usd: 5, period: day, allow_unpriced_models: true }"),
  budgetTenant("durable", "{ amount_usd: 5, period: month }"),
  budgetTenant("routes", "{ amount_usd: 3, period: day }"),
  budgetTenant("jobs", "{ amount_usd: 2, period: day }", "max_concurrent: 1").replace("    limits:", "    overflow: queue\n    limits:"),
  budgetTenant("cached", "{ amount_usd: 2, period: day }").replace("    limits:", "    cache: { ttl_seconds: 60 }\n    limits:"),
].join("") + `  - id: adminset
    keys: [${key("adminset")}]
`;

let upstream: MockUpstream;
let gw: BudgetGateway;
const sqlite = tempSqlitePath();
const yaml = () => budgetsConfigYaml(upstream.url, `{ sqlite_path: ${sqlite} }`, tenants);

beforeAll(async () => {
  upstream = await startMockUpstream();
  oneTokenAnswers(upstream);
  gw = await startBudgetGateway(yaml(), clock);
}, 30_000);

afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

async function statuses(responses: Response[]): Promise<number[]> {
  await Promise.all(responses.map((r) => r.text()));
  return responses.map((r) => r.status);
}

describe("a budget under a concurrent burst", () => {
  it("admits exactly the requests the budget pays for and refuses the rest with 429, budget_exceeded once it is spent", async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => post(gw.url, key("burst", 1 + (i % 2)), dollarRequest(`burst ${i}`))));
    // Tolerance: none. $5 at $1 a request is five requests, however they interleave.
    const codes = await Promise.all(responses.map(async (r) => (r.status === 429 ? ((await r.json()) as { error: { code: string } }).error.code : (await r.text(), r.status))));
    expect(codes.filter((c) => c === 200)).toHaveLength(5);
    // Refused while the five were in flight: held by their reservations (retry soon); after they settled: spent.
    expect(codes.filter((c) => c === "budget_reserved" || c === "budget_exceeded")).toHaveLength(15);
    const refused = await post(gw.url, key("burst"), dollarRequest("after the burst"));
    const body = (await refused.json()) as { error: { type: string; code: string; message: string; param: null } };
    expect(body.error).toMatchObject({ type: "insufficient_quota", code: "budget_exceeded", param: null });
    expect(body.error.message).toContain("this tenant's budget of $5 per day (UTC) is spent");
    expect(body.error.message).toContain("It resets at 2031-03-15T00:00:00Z, in 1 h");
    expect(refused.headers.get("retry-after")).toBe("3600");
    expect(refused.headers.get("x-runestone-budget-remaining-usd")).toBe("0");
    const [status] = await budgetsOf(gw.url, key("burst"));
    expect(status).toEqual({ scope: "tenant", tenant_id: "burst", key_id: null, amount_usd: 5, period: "day", spent_usd: 5, reserved_usd: 0, remaining_usd: 0, resets_at: Date.parse("2031-03-15T00:00:00Z") / 1000 });
  });
});

describe("the refusal, seen through the official openai SDK", () => {
  it("raises a RateLimitError with status 429, code budget_exceeded and Retry-After, after the answers said what is left", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key("sdk"), maxRetries: 0 });
    const first = await client.chat.completions.create({ model: "dollar", max_tokens: 1, messages: [{ role: "user", content: "one" }] }).withResponse();
    // $2, $1 reserved by this request: $1 left.
    expect(first.response.headers.get("x-runestone-budget-remaining-usd")).toBe("1");
    const stream = await client.chat.completions.create({ model: "dollar", max_tokens: 1, stream: true, messages: [{ role: "user", content: "two" }] }).withResponse();
    expect(stream.response.headers.get("x-runestone-budget-remaining-usd")).toBe("0");
    for await (const chunk of stream.data) void chunk;
    const err = await client.chat.completions.create({ model: "dollar", max_tokens: 1, messages: [{ role: "user", content: "three" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe("budget_exceeded");
    expect(e.type).toBe("insufficient_quota");
    expect(Number(e.headers?.get("retry-after"))).toBe(3600);
  });
});

describe("the reset at the end of the period", () => {
  it("refuses until the UTC day ends and admits again from 00:00, with the spend back at 0", async () => {
    for (let i = 0; i < 2; i++) expect((await statuses([await post(gw.url, key("reset"), dollarRequest())]))[0]).toBe(200);
    expect((await statuses([await post(gw.url, key("reset"), dollarRequest())]))[0]).toBe(429);
    now = Date.parse("2031-03-14T23:59:59.500Z");
    const late = await post(gw.url, key("reset"), dollarRequest());
    expect(late.status).toBe(429);
    expect(late.headers.get("retry-after")).toBe("1");
    await late.text();
    now = Date.parse("2031-03-15T00:00:00Z");
    const fresh = await post(gw.url, key("reset"), dollarRequest());
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("x-runestone-budget-remaining-usd")).toBe("1");
    await fresh.text();
    const [status] = await budgetsOf(gw.url, key("reset"));
    expect(status).toMatchObject({ spent_usd: 1, remaining_usd: 1, resets_at: Date.parse("2031-03-16T00:00:00Z") / 1000 });
    now = START;
  });

  it("a monthly budget lasts until the first of the next month", async () => {
    expect((await statuses([await post(gw.url, key("monthly"), dollarRequest())]))[0]).toBe(200);
    now = Date.parse("2031-03-31T12:00:00Z");
    const refused = await post(gw.url, key("monthly"), dollarRequest());
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(String(12 * 3600));
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("budget of $1 per month (UTC) is spent");
    now = Date.parse("2031-04-01T00:00:00Z");
    expect((await statuses([await post(gw.url, key("monthly"), dollarRequest())]))[0]).toBe(200);
    now = START;
  });
});

describe("a key's budget on top of its tenant's", () => {
  it("refuses the key at its own budget while the tenant's other keys go on to the tenant's", async () => {
    const created = await post(gw.url, ADMIN_KEY, { tenant_id: "keyed", name: "capped key", limits: { budget: { amount_usd: 2, period: "day" } } }, "/v1/admin/keys");
    expect(created.status).toBe(201);
    const { key: secret, id, limits } = (await created.json()) as { key: string; id: string; limits: unknown };
    expect(limits).toEqual({ budget: { amount_usd: 2, period: "day", allow_unpriced_models: false } });
    expect(await statuses([await post(gw.url, secret, dollarRequest()), await post(gw.url, secret, dollarRequest())])).toEqual([200, 200]);
    const keyRefusal = await post(gw.url, secret, dollarRequest());
    expect(keyRefusal.status).toBe(429);
    expect(((await keyRefusal.json()) as { error: { message: string } }).error.message).toContain("this API key's budget of $2 per day (UTC) is spent");
    // The tenant has spent $2 of $5 through the key: three more from another key.
    expect((await statuses(await Promise.all([1, 2, 3, 4].map((i) => post(gw.url, key("keyed"), dollarRequest(`k${i}`)))))).sort()).toEqual([200, 200, 200, 429]);
    const tenantRefusal = await post(gw.url, key("keyed"), dollarRequest());
    expect(((await tenantRefusal.json()) as { error: { message: string } }).error.message).toContain("this tenant's budget of $5 per day");
    // The key sees its tenant's budget and its own; the admin sees both too.
    const seen = await budgetsOf(gw.url, secret);
    expect(seen.map((b) => [b.scope, b.key_id, b.spent_usd])).toEqual([["tenant", null, 5], ["key", id, 2]]);
    const admin = await budgetsOf(gw.url, ADMIN_KEY);
    expect(admin.find((b) => b.key_id === id)).toMatchObject({ scope: "key", tenant_id: "keyed", remaining_usd: 0 });
  });
});

describe("a budget set through the admin API", () => {
  it("applies on every request from then on, shows in the tenant's limits, and goes away when cleared", async () => {
    const put = (body: unknown) => fetch(`${gw.url}/v1/admin/tenants/adminset/limits`, { method: "PUT", headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    const set = await put({ budget: { amount_usd: 1, period: "day" } });
    expect(set.status).toBe(200);
    expect(((await set.json()) as { effective: unknown }).effective).toMatchObject({ budget: { amount_usd: 1, period: "day", allow_unpriced_models: false } });
    expect(await statuses([await post(gw.url, key("adminset"), dollarRequest()), await post(gw.url, key("adminset"), dollarRequest())])).toEqual([200, 429]);
    expect((await put({ budget: null })).status).toBe(200);
    const free = await post(gw.url, key("adminset"), dollarRequest());
    expect(free.status).toBe(200);
    expect(free.headers.get("x-runestone-budget-remaining-usd")).toBeNull();
    await free.text();
  });
});

describe("with the response cache", () => {
  it("a hit costs nothing: only the answer that reached the upstream is counted", async () => {
    const body = dollarRequest("the same question, twice");
    const miss = await post(gw.url, key("cached"), body);
    expect([miss.status, miss.headers.get("x-runestone-cache")]).toEqual([200, "miss"]);
    await miss.text();
    const hit = await post(gw.url, key("cached"), body);
    expect([hit.status, hit.headers.get("x-runestone-cache")]).toEqual([200, "hit"]);
    await hit.text();
    const [status] = await budgetsOf(gw.url, key("cached"));
    expect(status).toMatchObject({ spent_usd: 1, reserved_usd: 0, remaining_usd: 1 });
  });
});

describe("models without a known price", () => {
  it("are refused for a budgeted tenant with 403 model_not_priced saying how to allow them", async () => {
    const res = await post(gw.url, key("strict"), { model: "unpriced", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(403);
    const { error } = (await res.json()) as { error: { type: string; code: string; param: string; message: string } };
    expect(error).toMatchObject({ type: "permission_error", code: "model_not_priced", param: "model" });
    expect(error.message).toContain("model 'unpriced' has no known price");
    expect(error.message).toContain("limits.budget.allow_unpriced_models: true");
    expect(upstream.requests.filter((r) => r.rawBody.includes("free-model"))).toHaveLength(0);
  });

  it("run for a tenant that allows them, counted as $0, and for a tenant without a budget", async () => {
    const lenient = await post(gw.url, key("lenient"), { model: "unpriced", messages: [{ role: "user", content: "hi" }] });
    expect(lenient.status).toBe(200);
    expect(lenient.headers.get("x-runestone-budget-remaining-usd")).toBe("5");
    await lenient.text();
    expect((await statuses([await post(gw.url, key("nobudget"), { model: "unpriced", messages: [{ role: "user", content: "hi" }] })]))[0]).toBe(200);
    const [status] = await budgetsOf(gw.url, key("lenient"));
    expect(status).toMatchObject({ spent_usd: 0, remaining_usd: 5 });
  });
});

describe("every model route", () => {
  it("holds /v1/chat/stream and /v1/messages to the same budget as chat completions", async () => {
    const stream = await post(gw.url, key("routes"), dollarRequest("s"), "/v1/chat/stream");
    expect(stream.status).toBe(200);
    expect(stream.headers.get("x-runestone-budget-remaining-usd")).toBe("2");
    expect(await stream.text()).toContain("[DONE]");
    const msg = await post(gw.url, key("routes"), { model: "dollar", max_tokens: 1, messages: [{ role: "user", content: "m" }] }, "/v1/messages");
    expect(msg.status).toBe(200);
    await msg.text();
    expect((await statuses([await post(gw.url, key("routes"), dollarRequest())]))[0]).toBe(200);
    const refused = await post(gw.url, key("routes"), { model: "dollar", max_tokens: 1, messages: [{ role: "user", content: "m" }] }, "/v1/messages");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("3600");
    const body = (await refused.json()) as { type: string; error: { type: string; message: string } };
    expect(body.error.type).toBe("rate_limit_error");
    expect(body.error.message).toContain("Budget exceeded");
    // Embeddings and the Responses API meet the same spent budget.
    for (const [path, req] of [
      ["/v1/embeddings", { model: "dollar-embed", input: "vectors please" }],
      ["/v1/responses", { model: "dollar", input: "respond please", max_output_tokens: 16 }],
    ] as const) {
      const res = await post(gw.url, key("routes"), req, path);
      expect([path, res.status]).toEqual([path, 429]);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");
    }
  });

  it("counts the refusals by reason in runestone_rate_limited_total", async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const count = (limit: string) => Number(text.match(new RegExp(`runestone_rate_limited_total\\{limit="${limit}",action="rejected",tenant="burst"\\} (\\d+)`))?.[1] ?? 0);
    expect(count("budget")).toBeGreaterThanOrEqual(1);
    expect(count("budget") + count("budget_reserved")).toBe(16);
    expect(text).toMatch(/runestone_rate_limited_total\{limit="unpriced_model",action="rejected",tenant="strict"\} 1/);
  });
});

describe("queued jobs", () => {
  it("fail at their run time with budget_exceeded when the budget was spent while they waited, without reaching the upstream", async () => {
    // The request holding the tenant's one slot reserves $1 (max_tokens 1) but its answer reports 3 tokens: $3.
    upstream.behave({ latencyMs: 1500, usage: { prompt_tokens: 7, completion_tokens: 3 } }, { model: "long-model" });
    const holder = post(gw.url, key("jobs"), { model: "underestimated", max_tokens: 1, messages: [{ role: "user", content: "holder" }] });
    await upstream.waitFor(() => upstreamSaw(upstream, "holder").length === 1, 5_000);
    // $1 of $2 reserved: the next request passes the budget, meets the busy slot, and is queued.
    const queued = await post(gw.url, key("jobs"), dollarRequest("queued-job-marker"));
    expect(queued.status).toBe(202);
    const { job_id } = (await queued.json()) as { job_id: string };
    expect((await holder).status).toBe(200);
    const job = await waitFinal(gw.url, key("jobs"), job_id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ type: "insufficient_quota", code: "budget_exceeded" });
    expect(job.error.message).toContain("this tenant's budget of $2 per day (UTC) is spent ($3 spent of $2)");
    expect(upstreamSaw(upstream, "queued-job-marker")).toHaveLength(0);
  });

  it("are never queued for a spent budget: the refusal is answered at once", async () => {
    const res = await post(gw.url, key("jobs"), dollarRequest("never-queued"), "/v1/chat/completions", { "x-runestone-overflow": "queue" });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");
  });
});

describe("durability across a restart (embedded)", () => {
  it("keeps the month's spend in the SQLite file: a restarted gateway refuses past the same budget", async () => {
    expect(await statuses(await Promise.all([1, 2, 3].map((i) => post(gw.url, key("durable"), dollarRequest(`d${i}`)))))).toEqual([200, 200, 200]);
    await gw.close();
    gw = await startBudgetGateway(yaml(), clock);
    const [status] = await budgetsOf(gw.url, key("durable"));
    expect(status).toMatchObject({ spent_usd: 3, remaining_usd: 2, period: "month" });
    expect((await statuses(await Promise.all([1, 2, 3].map((i) => post(gw.url, key("durable"), dollarRequest(`e${i}`)))))).sort()).toEqual([200, 200, 429]);
  });
});

describe("the budgets guide", () => {
  it("has a config example that loads as it says", () => {
    const guide = readFileSync(fileURLToPath(new URL("../../docs/guides/09-budgets.md", import.meta.url)), "utf8");
    const yaml = /```yaml\n([\s\S]*?)```/.exec(guide)![1]!;
    const { config } = parseConfig(`providers: { mock: { type: mock } }\nmodels: { m: { deployments: [{ provider: mock }] } }\n${yaml}`, {});
    expect(config.tenants[0]!.limits).toEqual({ requests_per_minute: 600, budget: { amount_usd: 25, period: "day", allow_unpriced_models: false } });
  });
});
