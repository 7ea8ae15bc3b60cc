// Budget spend shared by every instance through Redis: one atomic script reserves in every scope of a request
// (redis-budget-scripts.ts), another settles it, so N gateways enforce one budget exactly once.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { BudgetScope } from "./budgets";
import type { BudgetStore, ReservationHandle, ReserveResult, ScopeSpend } from "./budget-store";
import { BUDGET_RESERVE_LUA, BUDGET_SETTLE_LUA } from "./redis-budget-scripts";

type ScriptRunner = (numKeys: number, ...args: Array<string | number>) => Promise<unknown>;

/** Counters outlive their period this long, so a request settled just after the period ended still counts. */
const KEEP_AFTER_PERIOD_MS = 2 * 86_400_000;

/**
 * When a settle call fails (Redis unreachable for a moment), it is tried again after these delays, off the
 * request path, before the spend is given up and logged. The reservation is dropped by its expiry meanwhile.
 */
export const SETTLE_RETRY_DELAYS_MS = [200, 1_000, 5_000, 15_000];

/** A settled marker outlives every retry of its settle (and ioredis resending one after a reconnect) by this much. */
const SETTLED_MARKER_MARGIN_MS = 10 * 60_000;

interface Reservation {
  id: string;
  /** h, z and the other period's h of each scope, then the settled marker. */
  keys: string[];
  /** Per scope: the expiry of h and of the other period's h. */
  expiries: number[];
  settled: boolean;
}

export class RedisBudgetStore implements BudgetStore {
  private readonly reserveScript: ScriptRunner;
  private readonly settleScript: ScriptRunner;
  /** Settles waiting for their next retry, with the spend each would count. */
  private readonly pending = new Map<NodeJS.Timeout, string>();
  private readonly markerTtlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long a reservation holds without being settled: the longest a request may run, plus a margin. */
    private readonly reservationTtlMs: number,
    /** Told of a spend given up after every retry of its settle failed. */
    private readonly onError: (err: unknown) => void = () => undefined,
    private readonly retryDelaysMs: readonly number[] = SETTLE_RETRY_DELAYS_MS,
  ) {
    this.markerTtlMs = retryDelaysMs.reduce((a, b) => a + b, 0) + SETTLED_MARKER_MARGIN_MS;
    redis.defineCommand("runestoneBudgetReserve", { lua: BUDGET_RESERVE_LUA });
    redis.defineCommand("runestoneBudgetSettle", { lua: BUDGET_SETTLE_LUA });
    const r = redis as unknown as Record<string, ScriptRunner>;
    this.reserveScript = r.runestoneBudgetReserve!.bind(redis);
    this.settleScript = r.runestoneBudgetSettle!.bind(redis);
  }

  async reserve(scopes: readonly BudgetScope[], needNano: number): Promise<ReserveResult> {
    const id = randomBytes(12).toString("hex");
    const keys = scopes.flatMap((s) => this.keysOf(s));
    const need = String(Math.max(0, Math.round(needNano)));
    const args = [id, need, this.reservationTtlMs, scopes.length, ...scopes.flatMap((s) => [String(s.amountNano), s.window.endMs + KEEP_AFTER_PERIOD_MS])];
    const out = (await this.reserveScript(keys.length, ...keys, ...args)) as number[];
    const refused = out[0]!;
    if (refused > 0) return { ok: false, spend: scopes.map((_, i) => ({ spentNano: out[1 + i * 2]!, reservedNano: out[2 + i * 2]! })) };
    let remainingNano = Number.POSITIVE_INFINITY;
    scopes.forEach((s, i) => {
      remainingNano = Math.min(remainingNano, s.amountNano - out[1 + i * 2]! - out[2 + i * 2]! - needNano);
    });
    const handle: Reservation = {
      id,
      keys: [...scopes.flatMap((s) => [...this.keysOf(s), this.hashOf(s.id, s.otherWindow.key)]), `${this.keysOf(scopes[0]!)[0]}:settled:${id}`],
      expiries: scopes.flatMap((s) => [s.window.endMs + KEEP_AFTER_PERIOD_MS, s.otherWindow.endMs + KEEP_AFTER_PERIOD_MS]),
      settled: false,
    };
    return { ok: true, handle, remainingNano: Math.max(0, remainingNano) };
  }

  async settle(handle: ReservationHandle, actualNano: number): Promise<void> {
    const r = handle as Reservation;
    if (r.settled) return;
    r.settled = true;
    const actual = String(Math.max(0, Math.round(actualNano)));
    try {
      await this.runSettle(r, actual);
    } catch (err) {
      // Marked settled already (a second release must not count twice): retried in the background instead.
      this.retrySettle(r, actual, 0, err);
    }
  }

  /** Idempotent (the script's settled marker): a retry or a resent call after one that did run counts nothing more. */
  private runSettle(r: Reservation, actual: string): Promise<unknown> {
    return this.settleScript(r.keys.length, ...r.keys, r.id, actual, (r.keys.length - 1) / 3, this.markerTtlMs, ...r.expiries);
  }

  private retrySettle(r: Reservation, actual: string, attempt: number, lastErr: unknown): void {
    const delay = this.retryDelaysMs[attempt];
    if (delay === undefined) {
      this.onError(new Error(`a budget spend of ${actual} nano-dollars was not counted: settling it failed ${attempt + 1} times (${String(lastErr)})`));
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      // Safe whether or not the failed call ran: the settled marker lets only one run count the spend.
      this.runSettle(r, actual).catch((err) => this.retrySettle(r, actual, attempt + 1, err));
    }, delay);
    timer.unref();
    this.pending.set(timer, actual);
  }

  async read(scopes: readonly BudgetScope[]): Promise<ScopeSpend[]> {
    const pipeline = this.redis.pipeline();
    pipeline.time();
    for (const s of scopes) {
      const [h, z] = this.keysOf(s);
      pipeline.hget(h!, "spent");
      // Every live reservation with its expiry: those past it (of an instance that died) are not counted.
      pipeline.zrange(z!, 0, -1, "WITHSCORES");
      pipeline.hgetall(h!);
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [err] of results) if (err) throw err;
    const [sec, micros] = results[0]![1] as [string, string];
    const now = Number(sec) * 1000 + Math.floor(Number(micros) / 1000);
    return scopes.map((_, i) => {
      const spent = results[1 + i * 3]![1] as string | null;
      const live = results[2 + i * 3]![1] as string[];
      const fields = results[3 + i * 3]![1] as Record<string, string>;
      let reservedNano = 0;
      for (let j = 0; j + 1 < live.length; j += 2) if (Number(live[j + 1]) > now) reservedNano += Number(fields[`r:${live[j]}`] ?? 0);
      return { spentNano: Number(spent ?? 0), reservedNano };
    });
  }

  async close(): Promise<void> {
    // Retries still waiting die with the process: their spend is lost, so say how much (no tenant or prompt).
    if (this.pending.size) {
      let nano = 0n;
      for (const actual of this.pending.values()) nano += BigInt(actual);
      this.onError(new Error(`${this.pending.size} budget spend settle(s) still waiting for a retry at shutdown were given up: ${nano} nano-dollars not counted`));
    }
    for (const t of this.pending.keys()) clearTimeout(t);
    this.pending.clear();
  }

  private keysOf(s: BudgetScope): string[] {
    const base = this.hashOf(s.id, s.window.key);
    return [base, `${base}:res`];
  }

  private hashOf(scope: string, period: string): string {
    return `${this.prefix}budget:{${scope}}:${period}`;
  }
}
