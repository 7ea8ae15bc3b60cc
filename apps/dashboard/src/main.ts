// The dashboard page: reads the summary and the usage every few seconds and redraws tiles, tables and
// charts. With `metrics.access: admin` the endpoints answer 401 until the admin key is given; the page then
// asks for it and keeps it in session storage.
import type uPlot from "uplot";
import { getSummary, getUsage, storedKey, storeKey, type Summary, type Usage } from "./api";
import { allCharts, chart } from "./charts";
import { age, int, ms, pct, usd } from "./format";
import { byId, table, tiles, total } from "./render";
import { perDay, rollup } from "./usage-rollup";

const REFRESH_MS = 5_000;
const C = { ok: "#4cc38a", warn: "#e5b449", bad: "#ef5f5f", info: "#5aa9e6", purple: "#b48ef0", muted: "#8d98a6" };

let plots: Record<"requests" | "latency" | "ttft" | "costMinute" | "costDay" | "jobs", uPlot> | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let refreshes = 0;

/** Axis labels for small dollar amounts: enough digits to tell the ticks apart. */
const axisUsd = (v: number): string => (v === 0 ? "$0" : v >= 1 ? `$${v.toFixed(2)}` : `$${Number(v.toPrecision(2))}`);

function makeCharts(): NonNullable<typeof plots> {
  const msFmt = (v: number) => ms(v);
  return {
    requests: chart(byId("chart-requests"), [
      { label: "2xx", color: C.ok },
      { label: "3xx", color: C.info },
      { label: "4xx", color: C.warn },
      { label: "5xx", color: C.bad },
    ]),
    latency: chart(
      byId("chart-latency"),
      [
        { label: "p50", color: C.info, fmt: msFmt },
        { label: "p95", color: C.warn, fmt: msFmt },
        { label: "p99", color: C.bad, fmt: msFmt },
        { label: "overhead p99", color: C.purple, dash: [4, 4], fmt: msFmt },
      ],
      { points: true },
    ),
    ttft: chart(byId("chart-ttft"), [
      { label: "p50", color: C.info, fmt: msFmt },
      { label: "p95", color: C.warn, fmt: msFmt },
    ], { points: true }),
    costMinute: chart(byId("chart-cost-minute"), [{ label: "cost", color: C.ok, fmt: (v) => usd(v) }], { bars: true, yFmt: axisUsd, minMax: 0.0001 }),
    costDay: chart(byId("chart-cost-day"), [{ label: "cost", color: C.ok, fmt: (v) => usd(v) }], { bars: true, days: true, yFmt: axisUsd, minMax: 0.0001 }),
    jobs: chart(byId("chart-jobs"), [
      { label: "finished", color: C.ok },
      { label: "failed", color: C.bad },
    ]),
  };
}

function drawTraffic(s: Summary): void {
  const r = s.recent;
  const n = total(r.requests);
  tiles("traffic-tiles", [
    ["requests / min", (n / (r.duration_ms / 60_000)).toFixed(1), `${int(n)} in 5 min`],
    ["errors (4xx / 5xx)", `${int(r.requests["4xx"])} / ${int(r.requests["5xx"])}`, n ? pct((r.requests["4xx"] + r.requests["5xx"]) / n) : undefined],
    ["latency p50 / p95", `${ms(r.latency_ms.p50)} / ${ms(r.latency_ms.p95)}`, `p99 ${ms(r.latency_ms.p99)}`],
    ["gateway overhead p50 / p99", `${ms(r.overhead_ms.p50)} / ${ms(r.overhead_ms.p99)}`],
    ["time to first token p50", ms(r.ttft_ms.p50), `p95 ${ms(r.ttft_ms.p95)}`],
    ["fallbacks / retries", `${int(r.fallbacks)} / ${int(r.retries)}`],
  ]);
  const x = s.minutes.map((m) => m.start / 1000);
  plots!.requests.setData([x, ...(["2xx", "3xx", "4xx", "5xx"] as const).map((k) => s.minutes.map((m) => m.requests[k]))]);
  plots!.latency.setData([x, s.minutes.map((m) => m.latency_ms.p50), s.minutes.map((m) => m.latency_ms.p95), s.minutes.map((m) => m.latency_ms.p99), s.minutes.map((m) => m.overhead_ms.p99)] as uPlot.AlignedData);
  plots!.ttft.setData([x, s.minutes.map((m) => m.ttft_ms.p50), s.minutes.map((m) => m.ttft_ms.p95)] as uPlot.AlignedData);
  plots!.costMinute.setData([x, s.minutes.map((m) => m.cost_usd)]);
}

function drawMoney(s: Summary, u: Usage): void {
  const hour = s.minutes.reduce((a, m) => ({ cost: a.cost + m.cost_usd, tokens: a.tokens + m.prompt_tokens + m.completion_tokens }), { cost: 0, tokens: 0 });
  const days = perDay(u);
  const today = days[days.length - 1];
  const week = days.slice(-7).reduce((a, d) => ({ cost: a.cost + d.cost, tokens: a.tokens + d.tokens }), { cost: 0, tokens: 0 });
  tiles("money-tiles", [
    ["last hour", usd(hour.cost), `${int(hour.tokens)} tokens`],
    ["today (UTC)", usd(today?.cost ?? 0), `${int(today?.tokens ?? 0)} tokens`],
    ["last 7 days", usd(week.cost), `${int(week.tokens)} tokens`],
    ["last 14 days", usd(days.reduce((a, d) => a + d.cost, 0)), `${int(days.reduce((a, d) => a + d.tokens, 0))} tokens`],
  ]);
  // The gateway sends the costliest rows only (GET /dashboard/usage `limit`): say so when it left some out.
  const note = byId("usage-note");
  note.hidden = !u.has_more;
  note.textContent = u.has_more ? `The ledger holds ${int(u.total)} day × tenant × model rows; the sums below count the ${int(u.data.length)} costliest.` : "";
  plots!.costDay.setData([days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000), days.map((d) => d.cost)]);
  const head = ["", "requests today", "tokens today", "cost today", "tokens 7 d", "cost 7 d"];
  const rows = (by: "tenant_id" | "model") => rollup(u, by).map((g) => [g.name, int(g.requestsToday), int(g.tokensToday), usd(g.costToday), int(g.tokens7d), usd(g.cost7d)]);
  table("by-tenant", ["tenant", ...head.slice(1)], rows("tenant_id"), "no usage recorded in the last 7 days");
  table("by-model", ["model", ...head.slice(1)], rows("model"), "no usage recorded in the last 7 days");
  drawBudgets(u);
}

/** Each tenant's and key's budget; a spent one is badged, since its requests are refused until it resets. */
function drawBudgets(u: Usage): void {
  const rows = (u.budgets ?? []).map((b) => [
    b.tenant_id,
    b.key_id ?? "(tenant)",
    `${usd(b.amount_usd)} / ${b.period}`,
    usd(b.spent_usd),
    usd(b.reserved_usd),
    b.remaining_usd > 0 ? usd(b.remaining_usd) : { text: "spent", badge: "open" },
    new Date(b.resets_at * 1000).toISOString().slice(0, 16).replace("T", " "),
  ]);
  const empty = u.budgets_supported ? "No budgets: no tenant or key has limits.budget set" : "No budgets: this gateway does not enforce spending budgets";
  table("budget-table", ["tenant", "key", "budget", "spent", "in flight", "left", "resets (UTC)"], rows, empty);
}

function drawHealth(s: Summary): void {
  table(
    "deployments",
    ["provider", "upstream model", "breaker", "calls", "failures", "failure rate", "retries", "fallbacks from"],
    s.deployments.map((d) => [
      d.provider,
      { text: d.model, className: "l" },
      { text: d.breaker === "open" && d.retry_in_ms !== null ? `open (${age(d.retry_in_ms)})` : d.breaker.replace("_", "-"), badge: d.breaker },
      int(d.attempts),
      int(d.failures),
      pct(d.failure_rate),
      int(d.retries),
      int(d.fallbacks),
    ]),
    "no deployment has been configured or called",
  );
}

function drawQueue(s: Summary): void {
  const q = s.queue;
  tiles("queue-tiles", [
    ["waiting", q.enabled ? int(q.depth) : "no queue", q.mode],
    ["oldest waiting", age(q.oldest_age_ms)],
    ["running here", int(q.running)],
    ["finished / failed (1 h)", `${int(q.jobs_finished)} / ${int(q.jobs_failed)}`],
  ]);
  plots!.jobs.setData([s.minutes.map((m) => m.start / 1000), s.minutes.map((m) => m.jobs_finished), s.minutes.map((m) => m.jobs_failed)]);
  const empty = q.tenants === null ? "per-tenant depth is not available with the Redis queue" : "no job is waiting";
  table("queue-tenants", ["tenant", "waiting", "oldest"], (q.tenants ?? []).map((t) => [t.tenant_id, int(t.depth), age(t.oldest_age_ms)]), empty);
}

function askForKey(message?: string): void {
  byId("board").hidden = true;
  const form = byId<HTMLFormElement>("key-form");
  form.hidden = false;
  const err = byId("key-error");
  err.hidden = !message;
  err.textContent = message ?? "";
  byId<HTMLInputElement>("key-input").focus();
  status("waiting for the admin key");
}

function status(text: string, stale = false): void {
  const el = byId("status");
  el.textContent = text;
  el.classList.toggle("stale", stale);
}

async function refresh(): Promise<void> {
  clearTimeout(timer);
  try {
    const [s, u] = await Promise.all([getSummary(), getUsage()]);
    const refused = !s.ok ? s : !u.ok ? u : undefined;
    if (refused) {
      if (refused.status === 401) {
        const hadKey = storedKey() !== null;
        storeKey(null);
        askForKey(hadKey ? "That key was refused; try again." : undefined);
        return; // no polling until a key is given
      }
      byId("board").hidden = true;
      const el = byId("refused");
      el.hidden = false;
      el.textContent = `The gateway refused the dashboard's data (${refused.status}): ${refused.message}`;
      status("refused", true);
      return;
    }
    if (!s.ok || !u.ok) return;
    byId("refused").hidden = true;
    byId("key-form").hidden = true;
    byId("board").hidden = false;
    plots ??= makeCharts();
    drawTraffic(s.data);
    drawMoney(s.data, u.data);
    drawHealth(s.data);
    drawQueue(s.data);
    refreshes++;
    document.body.dataset.refreshes = String(refreshes);
    document.body.dataset.charts = String(allCharts().length);
    status(`updated ${new Date(s.data.generated_at).toLocaleTimeString()} · every ${REFRESH_MS / 1000} s`);
  } catch (err) {
    status(`not answering (${err instanceof Error ? err.message : String(err)}); showing the last data`, true);
  }
  timer = setTimeout(() => void refresh(), REFRESH_MS);
}

byId<HTMLFormElement>("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = byId<HTMLInputElement>("key-input");
  const key = input.value.trim();
  input.value = "";
  if (!key) return;
  storeKey(key);
  byId("key-form").hidden = true;
  status("loading…");
  void refresh();
});

// In admin mode the gateway marks the page, so it asks for the key before sending a request bound to fail.
if (document.body.dataset.access === "admin" && !storedKey()) askForKey();
else void refresh();
