// Budgets and requests in flight (issue 18 review): a budget whose rest is only reserved by requests still
// running is a short 429 budget_reserved (retry in seconds), not a spent budget until the period ends; a tenant
// that overflows to its queue gets 202 and the job runs once the reservations settle; a request asking for n
// choices reserves its output cap n times.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempSqlitePath } from "./harness";
import { upstreamSaw, waitFinal } from "./jobs-harness";
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
  ].join("");
  gw = await startBudgetGateway(budgetsConfigYaml(upstream.url, `{ sqlite_path: ${tempSqlitePath()} }`, tenants));
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
