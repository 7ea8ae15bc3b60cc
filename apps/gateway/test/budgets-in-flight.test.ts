// Budgets and requests in flight (issue 18 review): a budget whose rest is only reserved by requests still
// running is a short 429 budget_reserved (retry in seconds), not a spent budget until the period ends; a tenant
// that overflows to its queue gets 202 and the job runs once the reservations settle; a request asking for n
// choices reserves its output cap n times.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempSqlitePath } from "./harness";
import { cancelJob, upstreamSaw, waitFinal } from "./jobs-harness";
import { budgetsConfigYaml, budgetsOf, budgetTenant, dollarRequest, key, oneTokenAnswers, post, startBudgetGateway, type BudgetGateway } from "./budgets-harness";

let upstream: MockUpstream;
let gw: BudgetGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  oneTokenAnswers(upstream);
  // `underestimated` reserves its max_tokens in dollars but reports one token: $1 spent.
  upstream.behave({ latencyMs: 1500, usage: { prompt_tokens: 7, completion_tokens: 1 } }, { model: "long-model" });
  const tenants = [
    budgetTenant("held", "{ amount_usd: 5, period: day }"),
    budgetTenant("heldq", "{ amount_usd: 5, period: day }").replace("    limits:", "    overflow: queue\n    limits:"),
    budgetTenant("choices", "{ amount_usd: 5, period: day }"),
    budgetTenant("cancelq", "{ amount_usd: 100, period: day }", "max_concurrent: 1").replace("    limits:", "    overflow: queue\n    limits:"),
  ].join("");
  // `prompty` bills its input at $1 a token (and is slow, like `underestimated`): what a cut call costs.
  const prompty = `  prompty:
    pricing: { input_per_1m: 1000000, output_per_1m: 0 }
    deployments: [{ provider: openai, model: long-model }]`;
  gw = await startBudgetGateway(budgetsConfigYaml(upstream.url, `{ sqlite_path: ${tempSqlitePath()} }`, tenants, prompty));
}, 30_000);

afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

/** A request that reserves the whole $5 budget (max_tokens 5) and holds it for 1.5 s, spending $1. */
async function holdBudget(tenant: string, marker: string): Promise<{ holder: Promise<Response> }> {
  const holder = post(gw.url, key(tenant), { model: "underestimated", max_tokens: 5, messages: [{ role: "user", content: marker }] });
  await upstream.waitFor(() => upstreamSaw(upstream, marker).length === 1, 5_000);
  return { holder };
}

describe("a budget held by a request in flight", () => {
  it("refuses with 429 rate_limit_error budget_reserved and a Retry-After of seconds, then admits once it settles", async () => {
    const { holder } = await holdBudget("held", "held-holder");
    const refused = await post(gw.url, key("held"), dollarRequest("while held"));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("2");
    const body = (await refused.json()) as { error: { type: string; code: string; message: string; param: null } };
    expect(body.error).toEqual({
      type: "rate_limit_error",
      code: "budget_reserved",
      param: null,
      message: "Budget reserved: requests in flight hold the rest of this tenant's budget of $5 per day (UTC) ($0 spent and $5 reserved, of $5). Retry after 2 s, when they have finished.",
    });
    expect((await holder).status).toBe(200);
    const after = await post(gw.url, key("held"), dollarRequest("after the holder"));
    expect(after.status).toBe(200);
    await after.text();
    expect((await budgetsOf(gw.url, key("held")))[0]).toMatchObject({ spent_usd: 2, reserved_usd: 0 });
  });

  it("is queued for a tenant that overflows to its queue, and the job runs once the reservation settles", async () => {
    const { holder } = await holdBudget("heldq", "heldq-holder");
    const queued = await post(gw.url, key("heldq"), dollarRequest("heldq-job-marker"));
    expect(queued.status).toBe(202);
    const { job_id } = (await queued.json()) as { job_id: string };
    expect((await holder).status).toBe(200);
    const job = await waitFinal(gw.url, key("heldq"), job_id);
    expect(job.status).toBe("succeeded");
    expect(upstreamSaw(upstream, "heldq-job-marker")).toHaveLength(1);
    expect((await budgetsOf(gw.url, key("heldq")))[0]).toMatchObject({ spent_usd: 2, reserved_usd: 0 });
  });
});

describe("a request for several choices", () => {
  it("reserves its output cap once per choice (n)", async () => {
    const res = await post(gw.url, key("choices"), dollarRequest("three choices", { n: 3 }));
    expect(res.status).toBe(200);
    // $5 less three choices of one $1 token each (it reserved $1 before).
    expect(res.headers.get("x-runestone-budget-remaining-usd")).toBe("2");
    await res.text();
  });
});

describe("a queued job stopped mid-run", () => {
  it("is charged its prompt estimate, as a direct request whose client leaves is", async () => {
    // The holder takes the tenant's one slot and spends $1 (one completion token), so the next request queues.
    const holder = post(gw.url, key("cancelq"), { model: "underestimated", max_tokens: 1, messages: [{ role: "user", content: "cancelq-holder" }] });
    await upstream.waitFor(() => upstreamSaw(upstream, "cancelq-holder").length === 1, 5_000);
    // 3 + 4 + 40 / 4 = 17 prompt tokens at $1: $17.
    const marker = "cancelq-job-".padEnd(40, "x");
    const queued = await post(gw.url, key("cancelq"), { model: "prompty", max_tokens: 1, messages: [{ role: "user", content: marker }] });
    expect(queued.status).toBe(202);
    const { job_id } = (await queued.json()) as { job_id: string };
    expect((await holder).status).toBe(200);
    await upstream.waitFor(() => upstreamSaw(upstream, marker).length === 1, 10_000);
    expect((await cancelJob(gw.url, key("cancelq"), job_id)).status).toBe(200);
    expect((await waitFinal(gw.url, key("cancelq"), job_id)).status).toBe("cancelled");
    const until = Date.now() + 5_000;
    let budget = (await budgetsOf(gw.url, key("cancelq")))[0]!;
    while (budget.reserved_usd !== 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
      budget = (await budgetsOf(gw.url, key("cancelq")))[0]!;
    }
    // It used to count $0: a queued job could be cancelled just before its answer, over and over, for free.
    expect(budget).toMatchObject({ spent_usd: 1 + 17, reserved_usd: 0 });
  });
});
