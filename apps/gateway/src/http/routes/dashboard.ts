// GET /dashboard (the operator's page, built by apps/dashboard) and the two JSON endpoints it reads:
// GET /dashboard/summary (recent traffic, deployments, queue) and GET /dashboard/usage (the ledger).
// Same access rule as /metrics; in admin mode the page itself is served to anyone (it holds no data,
// and a browser cannot send a bearer token when it opens a page) and asks for the key.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { Router as ExpressRouter, type Request } from "express";
import type { Schema } from "@runestone/contract";
import type { RunestoneConfig } from "../../config/schema";
import type { JobQueue } from "../../jobs/job-queue";
import type { BreakerRegistry } from "../../resilience/breaker-registry";
import type { AdminKey } from "../../state/admin-key";
import type { TrafficRecorder, TrafficWindowData } from "../../telemetry/traffic-recorder";
import type { UsageGroup, UsageLedger } from "../../telemetry/usage-ledger";
import { HttpError } from "../../core/http-error";
import { scrapeRefusal } from "./metrics";
import { toRecord, type UsageBudgets } from "./usage";
import { budgetOwners, budgetStatuses } from "../../admission/budget-report";

const DAY_MS = 86_400_000;
const USAGE_DAYS = 14;
/** Rows of /dashboard/usage by default (the spec's default; `limit` may ask for up to 10,000). */
const USAGE_LIMIT = 1000;
// Everything the page needs is inline; it may only talk back to this gateway.
const PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface DashboardDeps {
  access: RunestoneConfig["metrics"]["access"];
  adminKey: AdminKey;
  traffic: TrafficRecorder;
  breakers: BreakerRegistry;
  ledger: UsageLedger;
  jobs?: JobQueue;
  /** Every tenant's and key's budget, with its spend this period. */
  budgets?: UsageBudgets;
  /** The built page; by default RUNESTONE_DASHBOARD_HTML, else @runestone/dashboard's dist/index.html. */
  htmlPath?: string;
}

export function dashboardRoutes(deps: DashboardDeps): ExpressRouter {
  const r = ExpressRouter();
  // Only a page that was read is kept: a failed read (file missing mid-deploy, a disk error) is tried
  // again on the next request rather than answered from a cache until restart.
  let html: Promise<string> | undefined;
  const page = async (): Promise<string> => {
    const reading = (html ??= readPage(deps.htmlPath).then((p) => (deps.access === "admin" ? p.replace("<body>", '<body data-access="admin">') : p)));
    try {
      return await reading;
    } catch (err) {
      if (html === reading) html = undefined;
      throw err;
    }
  };
  const guard = (req: Request) => {
    const refused = scrapeRefusal(deps, req);
    if (refused) throw refused;
  };
  r.get(["/dashboard", "/dashboard/"], async (req, res) => {
    if (deps.access !== "admin") guard(req);
    // In admin mode the page is told so, and asks for the key before its first request.
    const body = await page();
    res.setHeader("content-security-policy", PAGE_CSP);
    res.setHeader("cache-control", "no-store");
    res.type("html").send(body);
  });
  r.get("/dashboard/summary", async (req, res) => {
    guard(req);
    res.setHeader("cache-control", "no-store");
    res.json(await summary(deps));
  });
  r.get("/dashboard/usage", async (req, res) => {
    guard(req);
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.parse(`${to}T00:00:00Z`) - (USAGE_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
    // The validator has checked `limit` (an integer 1..10000); the query parser leaves it a string.
    const limit = Number((req.query as { limit?: string }).limit ?? USAGE_LIMIT);
    const groups = await deps.ledger.query({ from, to }, ["day", "tenant", "model"]);
    // Bounded, costliest first: random model names or many tenants cannot make the answer (and the page) huge.
    groups.sort(byCostThenRequests);
    const budgets = deps.budgets ? await budgetStatuses(deps.budgets.book, budgetOwners(deps.budgets.directory, undefined, true)) : [];
    const body: Schema<"DashboardUsage"> = {
      object: "dashboard.usage",
      from,
      to,
      data: groups.slice(0, limit).map(toRecord),
      total: groups.length,
      has_more: groups.length > limit,
      budgets_supported: deps.budgets !== undefined,
      budgets,
    };
    res.setHeader("cache-control", "no-store");
    res.json(body);
  });
  return r;
}

function byCostThenRequests(a: UsageGroup, b: UsageGroup): number {
  return b.costUsd - a.costUsd || b.requests - a.requests || (b.day ?? "").localeCompare(a.day ?? "") || (a.tenant ?? "").localeCompare(b.tenant ?? "") || (a.model ?? "").localeCompare(b.model ?? "");
}

/** The built page; 404 when there is none to read, 503 when reading it failed (worth a retry). */
async function readPage(path: string | undefined): Promise<string> {
  let resolved = path ?? process.env.RUNESTONE_DASHBOARD_HTML;
  if (!resolved) {
    try {
      resolved = createRequire(import.meta.url).resolve("@runestone/dashboard/index.html");
    } catch {
      throw new HttpError({ status: 404, type: "not_found_error", code: "dashboard_not_built", message: "the dashboard page is not built: run `pnpm build`" });
    }
  }
  try {
    return await readFile(resolved, "utf8");
  } catch {
    // The reason stays out of the answer: it would name a path on this machine.
    throw new HttpError({ status: 503, type: "overloaded_error", code: "dashboard_unavailable", message: "the dashboard page could not be read; retry shortly", headers: { "retry-after": "1" } });
  }
}

async function summary(deps: DashboardDeps): Promise<Schema<"DashboardSummary">> {
  const now = Date.now();
  const minutes = deps.traffic.minutes();
  return {
    object: "dashboard.summary",
    generated_at: now,
    minutes: minutes.map(toWindow),
    recent: toWindow(deps.traffic.recent()),
    deployments: deployments(deps),
    queue: await queue(deps.jobs, now, minutes),
  };
}

function toWindow(w: TrafficWindowData): Schema<"TrafficWindow"> {
  return {
    start: w.start,
    duration_ms: w.durationMs,
    requests: w.requests,
    latency_ms: w.latencyMs,
    overhead_ms: w.overheadMs,
    ttft_ms: w.ttftMs,
    prompt_tokens: w.promptTokens,
    completion_tokens: w.completionTokens,
    cost_usd: w.costUsd,
    fallbacks: w.fallbacks,
    retries: w.retries,
    jobs_finished: w.jobsFinished,
    jobs_failed: w.jobsFailed,
  };
}

function deployments(deps: DashboardDeps): Schema<"DeploymentHealth">[] {
  const counts = new Map(deps.traffic.deployments.recent().map((c) => [`${c.provider}\u0000${c.model}`, c]));
  const out: Schema<"DeploymentHealth">[] = [];
  const row = (provider: string, model: string, breaker: Schema<"DeploymentHealth">["breaker"], retryInMs: number | null) => {
    const c = counts.get(`${provider}\u0000${model}`);
    counts.delete(`${provider}\u0000${model}`);
    const attempts = c?.attempts ?? 0;
    const failures = c?.failures ?? 0;
    out.push({ provider, model, breaker, retry_in_ms: retryInMs, attempts, failures, failure_rate: attempts ? Math.round((failures / attempts) * 1e4) / 1e4 : null, retries: c?.retries ?? 0, fallbacks: c?.fallbacks ?? 0 });
  };
  for (const b of deps.breakers.all()) {
    const s = b.snapshot();
    row(b.provider, b.model, s.state, s.retry_in_ms ?? null);
  }
  // Called recently but without a breaker of its own: a model outside the catalog whose closed breaker was dropped
  // to keep their number bounded, or that shared its provider's overflow breaker (resilience/breaker-registry.ts).
  for (const c of [...counts.values()]) row(c.provider, c.model, "closed", null);
  return out.sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
}

async function queue(jobs: JobQueue | undefined, now: number, lastHour: TrafficWindowData[]): Promise<Schema<"QueueSummary">> {
  const finished = lastHour.reduce((n, m) => n + m.jobsFinished, 0);
  const failed = lastHour.reduce((n, m) => n + m.jobsFailed, 0);
  if (!jobs) return { enabled: false, depth: 0, oldest_age_ms: null, running: 0, tenants: [], jobs_finished: finished, jobs_failed: failed };
  const [stats, perTenant] = await Promise.all([jobs.stats(), jobs.queuedPerTenant?.()]);
  return {
    enabled: true,
    mode: stats.mode,
    depth: stats.depth,
    oldest_age_ms: stats.oldestCreatedAt === null ? null : Math.max(0, now - stats.oldestCreatedAt),
    running: stats.running,
    tenants: perTenant ? perTenant.map((t) => ({ tenant_id: t.tenantId, depth: t.depth, oldest_age_ms: Math.max(0, now - t.oldestCreatedAt) })) : null,
    jobs_finished: finished,
    jobs_failed: failed,
  };
}
