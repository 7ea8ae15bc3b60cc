// Admission shared by every instance through Redis: one atomic Lua script per decision (see
// redis-scripts.ts). Concurrency slots are leases with an expiry, renewed while the request runs,
// so the slots of an instance that dies free themselves after one lease period.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { mergeReports, refusalMessage, scopesFor, WINDOW_MS, type Scope, type ScopeReport } from "./limits";
import { ADMIT_LUA, SETTLE_LUA } from "./redis-scripts";
import type { Admission, AdmissionRequest, AdmissionResult, RateLimitName } from "./types";

export interface RedisAdmissionOptions {
  prefix: string;
  defaultMaxConcurrent: number;
  /** How long a slot outlives a silent instance; renewed every third of it. */
  leaseTtlMs?: number;
}

type ScriptRunner = (numKeys: number, ...args: Array<string | number>) => Promise<unknown>;

const LIMITS: RateLimitName[] = ["concurrency", "requests", "tokens"];

export class RedisAdmission implements Admission {
  private readonly leaseTtlMs: number;
  private readonly admitScript: ScriptRunner;
  private readonly settleScript: ScriptRunner;
  private readonly live = new Set<NodeJS.Timeout>();

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisAdmissionOptions,
  ) {
    this.leaseTtlMs = opts.leaseTtlMs ?? 30_000;
    redis.defineCommand("runestoneAdmit", { lua: ADMIT_LUA });
    redis.defineCommand("runestoneSettle", { lua: SETTLE_LUA });
    const r = redis as unknown as Record<string, ScriptRunner>;
    this.admitScript = r.runestoneAdmit!.bind(redis);
    this.settleScript = r.runestoneSettle!.bind(redis);
  }

  async admit(req: AdmissionRequest): Promise<AdmissionResult> {
    const scopes = scopesFor(req, this.opts.defaultMaxConcurrent);
    const keys = scopes.flatMap((s) => this.keysOf(s));
    const leaseId = randomBytes(12).toString("hex");
    const args = [leaseId, WINDOW_MS, this.leaseTtlMs, Math.max(0, Math.ceil(req.estimatedTokens)), scopes.length, ...scopes.flatMap((s) => [s.maxConcurrent, s.requestsPerMinute, s.tokensPerMinute])];
    const out = (await this.admitScript(keys.length, ...keys, ...args)) as number[];
    const reports: ScopeReport[] = scopes.map((s, i) => {
      const o = 4 + i * 5;
      return {
        requestsPerMinute: s.requestsPerMinute,
        requestsUsed: out[o]!,
        requestsResetMs: out[o + 1]!,
        tokensPerMinute: s.tokensPerMinute,
        tokensUsed: out[o + 2]!,
        tokensResetMs: out[o + 3]!,
      };
    });
    const state = mergeReports(reports);
    if (out[0] !== 1) {
      const limit = LIMITS[out[1]! - 1] ?? "concurrency";
      const retryAfterMs = out[3]!;
      return { admitted: false, limit, retryAfterMs, state, message: refusalMessage(limit, scopes[out[2]!] as Scope, retryAfterMs) };
    }
    const holdsSlot = scopes.some((s) => s.maxConcurrent > 0);
    const renew = holdsSlot ? setInterval(() => void this.settleScript(keys.length, ...keys, leaseId, this.leaseTtlMs, -1, scopes.length).catch(() => undefined), this.leaseTtlMs / 3) : undefined;
    if (renew) {
      renew.unref();
      this.live.add(renew);
    }
    let released = false;
    return {
      admitted: true,
      lease: {
        state,
        release: async (actualTokens?: number) => {
          if (released) return;
          released = true;
          if (renew) {
            clearInterval(renew);
            this.live.delete(renew);
          }
          const actual = actualTokens === undefined ? -1 : Math.max(0, Math.ceil(actualTokens));
          await this.settleScript(keys.length, ...keys, leaseId, 0, actual, scopes.length);
        },
      },
    };
  }

  async close(): Promise<void> {
    for (const t of this.live) clearInterval(t);
    this.live.clear();
  }

  private keysOf(s: Scope): string[] {
    const base = `${this.opts.prefix}adm:{${s.id}}`;
    return [`${base}:conc`, `${base}:req`, `${base}:tok`, `${base}:amt`, `${base}:sum`];
  }
}
