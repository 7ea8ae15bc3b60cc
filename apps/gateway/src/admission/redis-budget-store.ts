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

interface Reservation {
  id: string;
  keys: string[];
  expiries: number[];
  settled: boolean;
}

export class RedisBudgetStore implements BudgetStore {
  private readonly reserveScript: ScriptRunner;
  private readonly settleScript: ScriptRunner;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long a reservation holds without being settled: the longest a request may run, plus a margin. */
    private readonly reservationTtlMs: number,
  ) {
    redis.defineCommand("runestoneBudgetReserve", { lua: BUDGET_RESERVE_LUA });
    redis.defineCommand("runestoneBudgetSettle", { lua: BUDGET_SETTLE_LUA });
    const r = redis as unknown as Record<string, ScriptRunner>;
    this.reserveScript = r.runestoneBudgetReserve!.bind(redis);
    this.settleScript = r.runestoneBudgetSettle!.bind(redis);
  }

  async reserve(scopes: readonly BudgetScope[], needNano: number): Promise<ReserveResult> {
    const id = randomBytes(12).toString("hex");
    const keys = scopes.flatMap((s) => this.keysOf(s));
    const expiries = scopes.map((s) => s.window.endMs + KEEP_AFTER_PERIOD_MS);
    const need = String(Math.max(0, Math.round(needNano)));
    const args = [id, need, this.reservationTtlMs, scopes.length, ...scopes.flatMap((s, i) => [String(s.amountNano), expiries[i]!])];
    const out = (await this.reserveScript(keys.length, ...keys, ...args)) as number[];
    const refused = out[0]!;
    if (refused > 0) return { ok: false, spend: scopes.map((_, i) => ({ spentNano: out[1 + i * 2]!, reservedNano: out[2 + i * 2]! })) };
    let remainingNano = Number.POSITIVE_INFINITY;
    scopes.forEach((s, i) => {
      remainingNano = Math.min(remainingNano, s.amountNano - out[1 + i * 2]! - out[2 + i * 2]! - needNano);
    });
    const handle: Reservation = { id, keys, expiries, settled: false };
    return { ok: true, handle, remainingNano: Math.max(0, remainingNano) };
  }

  async settle(handle: ReservationHandle, actualNano: number): Promise<void> {
    const r = handle as Reservation;
    if (r.settled) return;
    r.settled = true;
    await this.settleScript(r.keys.length, ...r.keys, r.id, String(Math.max(0, Math.round(actualNano))), r.expiries.length, ...r.expiries);
  }

  async read(scopes: readonly BudgetScope[]): Promise<ScopeSpend[]> {
    const pipeline = this.redis.pipeline();
    for (const s of scopes) pipeline.hmget(this.keysOf(s)[0]!, "spent", "reserved");
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, v]) => {
      if (err) throw err;
      const [spent, reserved] = v as Array<string | null>;
      return { spentNano: Number(spent ?? 0), reservedNano: Number(reserved ?? 0) };
    });
  }

  async close(): Promise<void> {}

  private keysOf(s: BudgetScope): string[] {
    const base = `${this.prefix}budget:{${s.id}}:${s.window.key}`;
    return [base, `${base}:res`];
  }
}
