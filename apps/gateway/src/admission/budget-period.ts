// The period a budget renews on, in UTC: a calendar day from 00:00, or a calendar month from the 1st. Spend is
// counted per period under the period's key, so a new period starts from 0 without anyone resetting anything.
export type BudgetPeriod = "day" | "month";

export interface PeriodWindow {
  /** `2026-12-04` for a day, `2026-12` for a month: part of the spend counter's name. */
  key: string;
  startMs: number;
  /** When the period ends and the next one starts (exclusive). */
  endMs: number;
}

export function periodWindow(period: BudgetPeriod, nowMs: number): PeriodWindow {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (period === "month") {
    return { key: `${y}-${pad(m + 1)}`, startMs: Date.UTC(y, m, 1), endMs: Date.UTC(y, m + 1, 1) };
  }
  const day = d.getUTCDate();
  return { key: `${y}-${pad(m + 1)}-${pad(day)}`, startMs: Date.UTC(y, m, day), endMs: Date.UTC(y, m, day + 1) };
}

const pad = (n: number) => String(n).padStart(2, "0");
