// Budget spend in the embedded SQLite file: one row per scope (tenant or key) and period with what was spent,
// in nano-dollars. Read once at startup; written in batches behind the requests (admission/memory-budget-store.ts),
// never on the request path.
import type { SqliteDb } from "./sqlite";

export interface BudgetSpendRow {
  scope: string;
  period: string;
  spentNano: number;
}

/** Rows of periods older than this are dropped at startup: no budget period is longer than a month. */
const KEEP_MS = 40 * 86_400_000;

export class SqliteBudgetSpend {
  constructor(
    private readonly db: SqliteDb,
    private readonly now: () => number = Date.now,
  ) {
    db.exec("CREATE TABLE IF NOT EXISTS budget_spend (scope TEXT NOT NULL, period TEXT NOT NULL, spent_nano INTEGER NOT NULL, PRIMARY KEY (scope, period))");
  }

  load(): BudgetSpendRow[] {
    // Period keys are `YYYY-MM` or `YYYY-MM-DD`: a month key of 40 days ago sorts before every key worth keeping.
    const oldest = new Date(this.now() - KEEP_MS).toISOString().slice(0, 7);
    this.db.prepare("DELETE FROM budget_spend WHERE period < ?").run(oldest);
    const rows = this.db.prepare("SELECT scope, period, spent_nano FROM budget_spend").all() as Array<{ scope: string; period: string; spent_nano: number }>;
    return rows.map((r) => ({ scope: r.scope, period: r.period, spentNano: Number(r.spent_nano) }));
  }

  /** Drops the rows of past periods: days before `day`, months before `month` (called when a new day begins). */
  prune(day: string, month: string): void {
    this.db.prepare("DELETE FROM budget_spend WHERE (length(period) = 10 AND period < ?) OR (length(period) = 7 AND period < ?)").run(day, month);
  }

  save(rows: BudgetSpendRow[]): void {
    const upsert = this.db.prepare("INSERT INTO budget_spend (scope, period, spent_nano) VALUES (?, ?, ?) ON CONFLICT(scope, period) DO UPDATE SET spent_nano = excluded.spent_nano");
    this.db.transaction(() => {
      for (const r of rows) upsert.run(r.scope, r.period, r.spentNano);
    })();
  }
}
