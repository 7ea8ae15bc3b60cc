// GET /dashboard and the JSON it reads, after real traffic through the gateway (responses validated
// against the spec by the harness): what an operator sees, and who may see it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Schema } from "@runestone/contract";
import { startHarness, type Harness } from "./harness";
import { ACME_KEY, ADMIN_KEY, dashboardConfigYaml, QUEUE_KEY, sendTraffic, type Traffic } from "./dashboard-harness";
import { waitFinal } from "./jobs-harness";

type Summary = Schema<"DashboardSummary">;
type Usage = Schema<"DashboardUsage">;

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as T;
}

describe("the dashboard after traffic (loopback access, the default)", () => {
  let h: Harness;
  let traffic: Traffic;
  let summary: Summary;

  beforeAll(async () => {
    h = await startHarness({ configYaml: (u) => dashboardConfigYaml(u) });
    traffic = await sendTraffic(h.url, h.upstream);
    summary = await getJson<Summary>(`${h.url}/dashboard/summary`);
  });
  afterAll(async () => {
    traffic?.release();
    await h?.close();
  });

  it("counts the requests of the last minutes by status class, with latency and overhead percentiles", () => {
    const r = summary.recent;
    // 3 + 2 + 2 answered 200 and the queued one 202; the 404; the held request is still open.
    expect(r.requests["2xx"]).toBe(8);
    expect(r.requests["4xx"]).toBe(1);
    expect(r.latency_ms.count).toBeGreaterThanOrEqual(7);
    expect(r.latency_ms.p50).toBeGreaterThan(0);
    expect(r.latency_ms.p99!).toBeGreaterThanOrEqual(r.latency_ms.p50!);
    expect(r.overhead_ms.count).toBeGreaterThanOrEqual(7);
    expect(r.ttft_ms.count).toBe(1);
    expect(r.cost_usd).toBeGreaterThan(0);
    expect(summary.minutes).toHaveLength(60);
    expect(summary.minutes.reduce((n, m) => n + m.requests["2xx"], 0)).toBe(8);
  });

  it("shows the failing deployment with its failures, the fallbacks away from it and its open breaker", () => {
    const broken = summary.deployments.find((d) => d.model === "broken-model::status=500");
    expect(broken).toMatchObject({ provider: "openai", breaker: "open", failure_rate: 1 });
    expect(broken!.attempts).toBeGreaterThanOrEqual(2);
    expect(broken!.fallbacks).toBeGreaterThanOrEqual(1);
    const backup = summary.deployments.find((d) => d.provider === "backup");
    expect(backup).toMatchObject({ breaker: "closed", failures: 0 });
    expect(backup!.attempts).toBeGreaterThanOrEqual(2);
    expect(summary.recent.fallbacks).toBeGreaterThanOrEqual(2);
  });

  it("shows the queued job under its tenant, then counts it finished once it ran", async () => {
    expect(summary.queue).toMatchObject({ enabled: true, mode: "embedded", depth: 1, tenants: [{ tenant_id: "initech", depth: 1 }] });
    expect(summary.queue.oldest_age_ms).toBeGreaterThanOrEqual(0);
    traffic.release();
    expect((await waitFinal(h.url, "sk-test-initech-queue-0123456789", traffic.jobId)).status).toBe("succeeded");
    const after = await getJson<Summary>(`${h.url}/dashboard/summary`);
    expect(after.queue).toMatchObject({ depth: 0, oldest_age_ms: null, tenants: [], jobs_finished: 1, jobs_failed: 0 });
  });

  it("reports tokens and cost per tenant and model from the ledger, and the budgets with their spend today", async () => {
    const usage = await getJson<Usage>(`${h.url}/dashboard/usage`);
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.to).toBe(today);
    expect(usage.budgets_supported).toBe(true);
    expect(usage.budgets).toEqual([expect.objectContaining({ scope: "tenant", tenant_id: "acme", key_id: null, amount_usd: 5, period: "day", reserved_usd: 0 })]);
    const budget = usage.budgets![0]!;
    expect(budget.spent_usd).toBeGreaterThan(0);
    expect(budget.remaining_usd).toBeCloseTo(5 - budget.spent_usd, 9);
    const pairs = usage.data.filter((r) => r.day === today).map((r) => `${r.tenant_id}/${r.model}`);
    expect(pairs).toEqual(expect.arrayContaining(["acme/gpt-4o-mini", "globex/mock-echo", "globex/flaky"]));
    const acme = usage.data.find((r) => r.tenant_id === "acme" && r.model === "gpt-4o-mini")!;
    expect(acme.requests).toBe(3);
    expect(acme.cost_usd).toBeGreaterThan(0);
  });

  it("bounds the usage rows with `limit`, costliest first, and says how many there are", async () => {
    const all = await getJson<Usage>(`${h.url}/dashboard/usage`);
    expect(all.total).toBe(all.data.length);
    expect(all.total).toBeGreaterThanOrEqual(3);
    expect(all.has_more).toBe(false);
    const costs = all.data.map((r) => r.cost_usd ?? 0);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    const two = await getJson<Usage>(`${h.url}/dashboard/usage?limit=2`);
    expect(two.data).toEqual(all.data.slice(0, 2));
    expect(two).toMatchObject({ total: all.total, has_more: true });
    for (const bad of ["0", "10001", "x"]) {
      const res = await fetch(`${h.url}/dashboard/usage?limit=${bad}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    }
  });

  it("serves a self-contained page that may load nothing from elsewhere", async () => {
    const res = await fetch(`${h.url}/dashboard`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i);
    expect(html.length).toBeLessThan(200_000);
  });

  it("does not count the dashboard's own requests, job polls, usage reads or admin calls as traffic", async () => {
    const before = (await getJson<Summary>(`${h.url}/dashboard/summary`)).recent.requests;
    await getJson<Usage>(`${h.url}/dashboard/usage`);
    await getJson(`${h.url}/v1/jobs/${traffic.jobId}`, { authorization: `Bearer ${QUEUE_KEY}` });
    await getJson(`${h.url}/v1/usage`, { authorization: `Bearer ${ACME_KEY}` });
    await getJson(`${h.url}/v1/models`, { authorization: `Bearer ${ACME_KEY}` });
    await getJson(`${h.url}/v1/admin/keys`, { authorization: `Bearer ${ADMIN_KEY}` });
    const after = (await getJson<Summary>(`${h.url}/dashboard/summary`)).recent.requests;
    expect(after).toEqual(before);
  });
});

describe("the dashboard with metrics.access: admin", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("serves the page to anyone but its data only to the admin key", async () => {
    h = await startHarness({ configYaml: (u) => dashboardConfigYaml(u, "metrics: { access: admin }") });
    expect((await fetch(`${h.url}/dashboard`)).status).toBe(200);
    for (const path of ["/dashboard/summary", "/dashboard/usage"]) {
      const none = await fetch(`${h.url}${path}`);
      expect(none.status).toBe(401);
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe("missing_api_key");
      expect((await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${ACME_KEY}` } })).status).toBe(401);
      await getJson(`${h.url}${path}`, { authorization: `Bearer ${ADMIN_KEY}` });
    }
    expect(h.logs.text().includes(ADMIN_KEY)).toBe(false);
  });
});

describe("the dashboard page when its file cannot be read", () => {
  let h: Harness | undefined;
  const dir = mkdtempSync(join(tmpdir(), "runestone-dashboard-"));
  const saved = process.env.RUNESTONE_DASHBOARD_HTML;
  afterAll(async () => {
    await h?.close();
    if (saved === undefined) delete process.env.RUNESTONE_DASHBOARD_HTML;
    else process.env.RUNESTONE_DASHBOARD_HTML = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 503 in OpenAI's error shape, caches nothing, and serves the page once the file is there", async () => {
    const file = join(dir, "index.html");
    process.env.RUNESTONE_DASHBOARD_HTML = file;
    h = await startHarness({ configYaml: (u) => dashboardConfigYaml(u) });
    const failed = await fetch(`${h.url}/dashboard`);
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    const body = (await failed.json()) as { error: { type: string; code: string; message: string; param: null } };
    expect(body.error).toMatchObject({ type: "overloaded_error", code: "dashboard_unavailable", param: null });
    expect(body.error.message).not.toContain(dir);
    writeFileSync(file, "<!doctype html><html><head><title>Runestone dashboard</title></head><body>ok</body></html>");
    const served = await fetch(`${h.url}/dashboard`);
    expect(served.status).toBe(200);
    expect(await served.text()).toContain("Runestone dashboard");
  });
});
