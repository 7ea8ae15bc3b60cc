// The ledger's rows (day × tenant × model) summed per tenant or per model, for today and the last 7 days.
import type { Usage } from "./api";

type Row = Usage["data"][number];

export interface Rollup {
  name: string;
  requestsToday: number;
  tokensToday: number;
  costToday: number | null;
  requests7d: number;
  tokens7d: number;
  cost7d: number | null;
}

/** Cost sums only priced requests; a group where nothing was priced stays `null` (unknown), as in /v1/usage. */
function addCost(sum: number | null, cost: number | null | undefined): number | null {
  if (cost === null || cost === undefined) return sum;
  return (sum ?? 0) + cost;
}

export function rollup(usage: Usage, by: "tenant_id" | "model"): Rollup[] {
  const today = usage.to;
  const weekStart = new Date(Date.parse(`${today}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
  const groups = new Map<string, Rollup>();
  for (const r of usage.data as Row[]) {
    if (!r.day || r.day < weekStart) continue;
    const name = r[by] ?? "?";
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { name, requestsToday: 0, tokensToday: 0, costToday: null, requests7d: 0, tokens7d: 0, cost7d: null }));
    g.requests7d += r.requests;
    g.tokens7d += r.total_tokens;
    g.cost7d = addCost(g.cost7d, r.cost_usd);
    if (r.day === today) {
      g.requestsToday += r.requests;
      g.tokensToday += r.total_tokens;
      g.costToday = addCost(g.costToday, r.cost_usd);
    }
  }
  return [...groups.values()].sort((a, b) => (b.cost7d ?? 0) - (a.cost7d ?? 0) || b.tokens7d - a.tokens7d || a.name.localeCompare(b.name));
}

/** Cost and tokens per day over the whole range, oldest first, with empty days as zeros. */
export function perDay(usage: Usage): { day: string; cost: number; tokens: number }[] {
  const out = new Map<string, { day: string; cost: number; tokens: number }>();
  for (let t = Date.parse(`${usage.from}T00:00:00Z`); t <= Date.parse(`${usage.to}T00:00:00Z`); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.set(day, { day, cost: 0, tokens: 0 });
  }
  for (const r of usage.data) {
    const d = r.day ? out.get(r.day) : undefined;
    if (!d) continue;
    d.cost += r.cost_usd ?? 0;
    d.tokens += r.total_tokens;
  }
  return [...out.values()];
}
