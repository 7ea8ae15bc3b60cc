// Queued Responses API requests under a budget (embedded): a job's spend counts against its tenant's budget as a
// direct request's does, and a budget spent while the job waited fails it at run time, before any upstream call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { budgetsConfigYaml, budgetsOf, budgetTenant, key, oneTokenAnswers, post, startBudgetGateway, type BudgetGateway } from "./budgets-harness";
import { tempSqlitePath } from "./harness";
import { upstreamSaw, waitFinal } from "./jobs-harness";

const queueing = (id: string, budget: string) => budgetTenant(id, budget, "max_concurrent: 1").replace("    limits:", "    overflow: queue\n    limits:");

let upstream: MockUpstream;
let gw: BudgetGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  oneTokenAnswers(upstream);
  const tenants = queueing("rspent", "{ amount_usd: 2, period: day }") + queueing("rpaid", "{ amount_usd: 5, period: day }");
  gw = await startBudgetGateway(budgetsConfigYaml(upstream.url, `{ sqlite_path: ${tempSqlitePath()} }`, tenants));
}, 30_000);

afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

/** Holds the tenant's one slot with a chat request that reserves $1 and, answering `tokens` completion tokens, spends $tokens. */
async function holdWithSpend(tenant: string, marker: string, tokens: number): Promise<{ holder: Promise<Response> }> {
  upstream.behave({ latencyMs: 1500, usage: { prompt_tokens: 7, completion_tokens: tokens } }, { model: "long-model", times: 1 });
  const holder = post(gw.url, key(tenant), { model: "underestimated", max_tokens: 1, messages: [{ role: "user", content: marker }] });
  await upstream.waitFor(() => upstreamSaw(upstream, marker).length === 1, 5_000);
  // Wrapped: an async function's returned promise would otherwise be awaited with it.
  return { holder };
}

describe("queued Responses jobs under a budget", () => {
  it("count their answer's cost against the tenant's budget", async () => {
    const { holder } = await holdWithSpend("rpaid", "rpaid-holder", 1);
    const queued = await post(gw.url, key("rpaid"), { model: "dollar", input: "resp-paid-job", max_output_tokens: 1 }, "/v1/responses");
    expect(queued.status).toBe(202);
    const { job_id } = (await queued.json()) as { job_id: string };
    expect((await holder).status).toBe(200);
    const job = await waitFinal(gw.url, key("rpaid"), job_id);
    expect(job).toMatchObject({ kind: "response", status: "succeeded", response: { object: "response", usage: { output_tokens: 1 } } });
    // $1 for the holder, $1 for the job (OpenAI's own usage, passed through, priced at $1 per output token).
    const [budget] = await budgetsOf(gw.url, key("rpaid"));
    expect(budget).toMatchObject({ scope: "tenant", spent_usd: 2, reserved_usd: 0 });
  });

  it("fail at their run time with budget_exceeded when the budget was spent while they waited, without reaching the upstream", async () => {
    // The holder reserves $1 but spends $3; meanwhile the job passes the budget ($1 + $1 of $2) and meets the busy slot.
    const { holder } = await holdWithSpend("rspent", "rspent-holder", 3);
    const queued = await post(gw.url, key("rspent"), { model: "dollar", input: "resp-budget-job", max_output_tokens: 1 }, "/v1/responses");
    expect(queued.status).toBe(202);
    const { job_id } = (await queued.json()) as { job_id: string };
    expect((await holder).status).toBe(200);
    const job = await waitFinal(gw.url, key("rspent"), job_id);
    expect(job).toMatchObject({ kind: "response", status: "failed", response: null, error: { type: "insufficient_quota", code: "budget_exceeded" } });
    expect(upstreamSaw(upstream, "resp-budget-job")).toHaveLength(0);
    // Nor is a Responses request queued once the budget is spent: waiting cannot help it.
    const refused = await post(gw.url, key("rspent"), { model: "dollar", input: "resp-never-queued", max_output_tokens: 1 }, "/v1/responses", { "x-runestone-overflow": "queue" });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");
  });
});
