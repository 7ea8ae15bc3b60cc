// GET /v1/usage: tokens and cost from the usage ledger, and the budgets with their spend this period. A tenant
// key sees its own tenant (and those it may act for) and its own budget; the admin key sees every tenant and key.
import { Router as ExpressRouter } from "express";
import type { Schema } from "@runestone/contract";
import { contextOf, type RequestContext } from "../../core/request-context";
import type { GroupField, UsageGroup, UsageLedger } from "../../telemetry/usage-ledger";
import { badRequest, HttpError } from "../../core/http-error";
import { budgetOwners, budgetStatuses, type BudgetBook, type BudgetDirectory } from "../../admission/budget-report";

export interface UsageBudgets {
  book: BudgetBook;
  directory: BudgetDirectory;
}

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;

export function usageRoutes(ledger: UsageLedger, budgets?: UsageBudgets): ExpressRouter {
  const r = ExpressRouter();
  r.get("/v1/usage", async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const to = q.to ?? new Date().toISOString().slice(0, 10);
    const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 30 * DAY_MS).toISOString().slice(0, 10);
    if (from > to) throw badRequest("'from' must not be after 'to'", "from");
    if ((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS > MAX_DAYS) throw badRequest(`at most ${MAX_DAYS} days per query`, "from");
    const groupBy = (q.group_by === "none" ? [] : (q.group_by ?? "day,model").split(",")) as GroupField[];
    const tenants = visibleTenants(contextOf(res), q.tenant_id);
    const groups = await ledger.query({ from, to, tenants }, [...new Set(groupBy)]);
    const body: Schema<"UsageReport"> = { object: "usage.report", from, to, group_by: [...new Set(groupBy)], data: groups.map(toRecord) };
    if (budgets) body.budgets = await visibleBudgets(budgets, contextOf(res), tenants);
    res.json(body);
  });
  return r;
}

function visibleTenants(ctx: Pick<RequestContext, "admin" | "tenant" | "principal">, requested: string | undefined): string[] | undefined {
  if (ctx.admin) return requested ? [requested] : undefined;
  const own = ctx.tenant!.id;
  if (!requested || requested === own) return [own];
  if (ctx.principal?.actFor?.includes(requested)) return [requested];
  throw new HttpError({ status: 403, type: "permission_error", code: "tenant_not_allowed", param: "tenant_id", message: "This API key may not read that tenant's usage." });
}

/** The admin sees every key's budget too; a tenant key sees its tenants' budgets and its own. */
function visibleBudgets(b: UsageBudgets, ctx: Pick<RequestContext, "admin" | "principal">, tenants: string[] | undefined): Promise<Array<Schema<"BudgetStatus">>> {
  const owners = budgetOwners(b.directory, tenants, ctx.admin);
  const own = ctx.principal;
  if (!ctx.admin && own?.limits?.budget) owners.push({ tenantId: own.tenant.id, keyId: own.keyId, limits: own.limits });
  return budgetStatuses(b.book, owners);
}

export function toRecord(g: UsageGroup): Schema<"UsageRecord"> {
  return {
    ...(g.tenant !== undefined ? { tenant_id: g.tenant } : {}),
    ...(g.day !== undefined ? { day: g.day } : {}),
    ...(g.model !== undefined ? { model: g.model } : {}),
    ...(g.label !== undefined ? { label: g.label } : {}),
    requests: g.requests,
    prompt_tokens: g.promptTokens,
    completion_tokens: g.completionTokens,
    cached_tokens: g.cachedTokens,
    total_tokens: g.promptTokens + g.completionTokens,
    // Unknown when no request of the group had a price; otherwise the priced requests' cost.
    cost_usd: g.unpricedRequests >= g.requests && g.requests > 0 ? null : Math.round(g.costUsd * 1e9) / 1e9,
    unpriced_requests: g.unpricedRequests,
    cache_hits: g.cacheHits,
    saved_usd: Math.round(g.savedUsd * 1e9) / 1e9,
  };
}
