// Budget spend in this process's memory: one counter per scope and period, decided synchronously, so two
// requests can never both take the last of a budget. With a persistence (the embedded SQLite file) the spent
// amounts are loaded once at start and written behind in batches, off the request path: a restart keeps them;
// a crash loses at most the last batch (about a second), and reservations of requests that died with it.
import type { BudgetScope } from "./budgets";
import type { BudgetStore, ReservationHandle, ReserveResult, ScopeSpend } from "./budget-store";

export interface SpendRow {
  scope: string;
  period: string;
  spentNano: number;
}

export interface BudgetPersistence {
  load(): SpendRow[];
  save(rows: SpendRow[]): void;
  /** Drops the rows of days before `day` and of months before `month` (period keys as in budget-period.ts). */
  prune(day: string, month: string): void;
}

interface Counter extends ScopeSpend {
  scope: string;
  period: string;
}

interface Reservation {
  counters: Counter[];
  /** The same scopes' counters of the other period, where the spend is counted too (no reservation there). */
  others: Counter[];
  needNano: number;
  settled: boolean;
}

const FLUSH_MS = 250;

export class MemoryBudgetStore implements BudgetStore {
  private readonly counters = new Map<string, Counter>();
  private readonly dirty = new Set<Counter>();
  private timer: NodeJS.Timeout | undefined;
  /** The latest day and month seen in a request's scopes: counters of earlier periods are pruned. */
  private day = "";
  private month = "";
  private pruneDue = false;

  constructor(
    private readonly persistence?: BudgetPersistence,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    for (const r of persistence?.load() ?? []) this.counter(r.scope, r.period).spentNano = r.spentNano;
  }

  reserve(scopes: readonly BudgetScope[], needNano: number): ReserveResult {
    const counters = scopes.map((s) => this.counter(s.id, s.window.key));
    if (scopes.length) this.notePeriods(scopes[0]!);
    let remainingNano = Number.POSITIVE_INFINITY;
    for (let i = 0; i < scopes.length; i++) {
      const c = counters[i]!;
      const used = c.spentNano + c.reservedNano;
      if (used >= scopes[i]!.amountNano) return { ok: false, spend: counters.map((x) => ({ spentNano: x.spentNano, reservedNano: x.reservedNano })) };
      remainingNano = Math.min(remainingNano, scopes[i]!.amountNano - used - needNano);
    }
    for (const c of counters) c.reservedNano += needNano;
    const handle: Reservation = { counters, others: scopes.map((s) => this.counter(s.id, s.otherWindow.key)), needNano, settled: false };
    return { ok: true, handle, remainingNano: Math.max(0, remainingNano) };
  }

  async settle(handle: ReservationHandle, actualNano: number): Promise<void> {
    const r = handle as Reservation;
    if (r.settled) return;
    r.settled = true;
    for (const c of r.counters) c.reservedNano -= r.needNano;
    if (actualNano > 0) {
      for (const c of [...r.counters, ...r.others]) {
        c.spentNano += actualNano;
        this.dirty.add(c);
        // A counter pruned meanwhile (its period ended) is put back, so this late spend is not lost.
        this.counters.set(keyOf(c.scope, c.period), c);
      }
    }
    if (this.persistence && this.dirty.size) this.scheduleFlush();
  }

  async read(scopes: readonly BudgetScope[]): Promise<ScopeSpend[]> {
    return scopes.map((s) => {
      const c = this.counters.get(keyOf(s.id, s.window.key));
      return { spentNano: c?.spentNano ?? 0, reservedNano: c?.reservedNano ?? 0 };
    });
  }

  /**
   * Writes the spend changed since the last flush (also at close, so a graceful restart loses nothing), and
   * once a new day has begun drops the counters (and rows) of past periods that nothing holds any more.
   */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.save();
    if (this.pruneDue) this.prune();
  }

  private save(): void {
    if (!this.persistence || !this.dirty.size) return;
    const batch = [...this.dirty];
    this.dirty.clear();
    try {
      this.persistence.save(batch.map((c) => ({ scope: c.scope, period: c.period, spentNano: c.spentNano })));
    } catch (err) {
      // Kept for the next flush: the amounts are totals, so writing them late is still right.
      for (const c of batch) this.dirty.add(c);
      this.onError(err);
    }
  }

  async close(): Promise<void> {
    this.flush();
  }

  /** How many counters are held in memory (for tests of pruning). */
  get size(): number {
    return this.counters.size;
  }

  private notePeriods(s: BudgetScope): void {
    const [day, month] = s.budget.period === "day" ? [s.window.key, s.otherWindow.key] : [s.otherWindow.key, s.window.key];
    // The current request's periods, not the latest ever seen: after a clock stepped back (NTP, or a test's
    // clock), pruning against a later day deleted the spend of the day the requests are in.
    if (day === this.day && month === this.month) return;
    const first = this.day === "";
    this.day = day;
    this.month = month;
    // A new day: prune off the request path, at the next flush (without a persistence, on its own timer).
    if (!first || this.persistence) {
      this.pruneDue = true;
      this.scheduleFlush();
    }
  }

  private prune(): void {
    this.pruneDue = false;
    for (const [k, c] of this.counters) {
      const past = c.period.length > 7 ? c.period < this.day : c.period < this.month;
      if (past && c.reservedNano <= 0 && !this.dirty.has(c)) this.counters.delete(k);
    }
    try {
      this.persistence?.prune(this.day, this.month);
    } catch (err) {
      this.onError(err);
    }
  }

  private scheduleFlush(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  private counter(scope: string, period: string): Counter {
    const k = keyOf(scope, period);
    let c = this.counters.get(k);
    if (!c) {
      c = { scope, period, spentNano: 0, reservedNano: 0 };
      this.counters.set(k, c);
    }
    return c;
  }
}

const keyOf = (scope: string, period: string) => `${scope}\u0000${period}`;
