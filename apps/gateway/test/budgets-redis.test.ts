// Budgets in Redis mode (issue 18): two gateway instances sharing one real redis-server hold one budget exactly
// once under a concurrent burst spread over both, reconcile to the real cost, agree on what is left, and start
// afresh when the period ends (on a clock the test moves, shared by both instances).
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisServer } from "./redis-server";
import { upstreamSaw, waitFinal } from "./jobs-harness";
import { budgetsConfigYaml, budgetsOf, budgetTenant, dollarRequest, key, oneTokenAnswers, post, startBudgetGateway, type BudgetGateway } from "./budgets-harness";

// Real time moved forward by a whole number of days and to 22:00 UTC, so counters' expiry (at the period's end
// plus two days, on Redis's own clock) stays in the future.
const DAY = 86_400_000;
const base = Math.floor(Date.now() / DAY) * DAY + 3 * DAY + 22 * 3_600_000;
let shift = 0;
const clock = () => base + shift;

let redis: RedisServer;
let upstream: MockUpstream;
const gws: BudgetGateway[] = [];

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startMockUpstream();
  oneTokenAnswers(upstream);
  const tenants = [budgetTenant("shared", "{ amount_usd: 7, period: day }"), budgetTenant("settle", "{ amount_usd: 10, period: day }"), budgetTenant("rollover", "{ amount_usd: 2, period: day }"),
    budgetTenant("rjobs", "{ amount_usd: 2, period: day }", "max_concurrent: 1").replace("    limits:", "    overflow: queue\n    limits:"),
  ].join("");
  const yaml = budgetsConfigYaml(upstream.url, `{ redis_url: "${redis.url}", redis_prefix: "budget-test:" }`, tenants);
  for (let i = 0; i < 2; i++) gws.push(await startBudgetGateway(yaml, clock));
}, 30_000);

afterAll(async () => {
  for (const g of gws) await g.close();
  await upstream?.close();
  await redis?.stop();
});

const at = (i: number) => gws[i % 2]!.url;

/** Waits (at most 5 s) until no reservation of the tenant's budget is left unsettled. */
async function settled(tenant: string): Promise<void> {
  const until = Date.now() + 5_000;
  while ((await budgetsOf(at(0), key(tenant)))[0]!.reserved_usd !== 0) {
    if (Date.now() > until) throw new Error(`${tenant}: reservations still unsettled after 5 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("one budget across two instances", () => {
  it("admits exactly the requests the budget pays for in a burst spread over both, and both refuse after", async () => {
    const responses = await Promise.all(Array.from({ length: 24 }, (_, i) => post(at(i), key("shared", 1 + (i % 2)), dollarRequest(`r${i}`))));
    await Promise.all(responses.map((r) => r.text()));
    // Tolerance: none. $7 at $1 a request, reserved atomically in Redis whichever instance took it.
    expect(responses.filter((r) => r.status === 200)).toHaveLength(7);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(17);
    // Reconciling is a Redis call after each answer was sent: waited for, within a bound. Until then a refusal
    // may be budget_reserved (retry in seconds); once the spend is counted it is budget_exceeded to the day's end.
    await settled("shared");
    const after = await Promise.all([0, 1].map((i) => post(at(i), key("shared"), dollarRequest())));
    const codes = await Promise.all(after.map(async (r) => ((await r.json()) as { error: { code: string } }).error.code));
    expect(after.map((r) => r.status)).toEqual([429, 429]);
    expect(codes).toEqual(["budget_exceeded", "budget_exceeded"]);
    expect(after[0]!.headers.get("retry-after")).toBe("7200");
    const seen = await Promise.all([0, 1].map((i) => budgetsOf(at(i), key("shared"))));
    for (const [b] of seen) expect(b).toMatchObject({ spent_usd: 7, reserved_usd: 0, remaining_usd: 0 });
  });

  it("reconciles each reservation to the cost the upstream reported, seen the same from both instances", async () => {
    // Reserved at $3 (max_tokens 3), spent $1 (one token reported): $2 of each reservation comes back.
    for (let i = 0; i < 4; i++) {
      const res = await post(at(i), key("settle"), dollarRequest(`s${i}`, { max_tokens: 3 }));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-runestone-budget-remaining-usd")).toBe(String(10 - i - 3));
      await res.text();
      await settled("settle");
    }
    const [a, b] = await Promise.all([0, 1].map((i) => budgetsOf(at(i), key("settle"))));
    expect(a).toEqual(b);
    expect(a![0]).toMatchObject({ spent_usd: 4, reserved_usd: 0, remaining_usd: 6 });
  });

  it("starts every instance afresh when the UTC day ends", async () => {
    const spent = await Promise.all([0, 1, 0].map((i) => post(at(i), key("rollover"), dollarRequest())));
    await Promise.all(spent.map((r) => r.text()));
    expect(spent.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    shift = 2 * 3_600_000;
    const next = await Promise.all([0, 1, 1].map((i) => post(at(i), key("rollover"), dollarRequest())));
    await Promise.all(next.map((r) => r.text()));
    expect(next.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    shift = 0;
  });

  it("fails a job queued on one instance at its run time when an answer on the other spent the budget meanwhile", async () => {
    // The holder reserves $1 (max_tokens 1) and its answer reports 3 tokens: $3 of the $2.
    upstream.behave({ latencyMs: 1500, usage: { prompt_tokens: 7, completion_tokens: 3 } }, { model: "long-model" });
    const holder = post(at(0), key("rjobs"), { model: "underestimated", max_tokens: 1, messages: [{ role: "user", content: "redis-holder" }] });
    await upstream.waitFor(() => upstreamSaw(upstream, "redis-holder").length === 1, 5_000);
    const queued = await post(at(1), key("rjobs"), dollarRequest("redis-queued-marker"));
    expect(queued.status).toBe(202);
    const { job_id } = (await queued.json()) as { job_id: string };
    expect((await holder).status).toBe(200);
    const job = await waitFinal(at(1), key("rjobs"), job_id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ type: "insufficient_quota", code: "budget_exceeded" });
    expect(upstreamSaw(upstream, "redis-queued-marker")).toHaveLength(0);
  });
});
