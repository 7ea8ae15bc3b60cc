// Admission in one process: counters in memory, decided synchronously, so two requests can never
// both take the last slot. A lease lives as long as its request; the process dying frees everything.
import { mergeReports, refusalMessage, reservation, scopesFor, WINDOW_MS, type Scope, type ScopeReport } from "./limits";
import { SlidingLog, type LogEntry } from "./sliding-log";
import type { Admission, AdmissionRequest, AdmissionResult, RateLimitName } from "./types";

interface Counters {
  inFlight: number;
  requests: SlidingLog;
  tokens: SlidingLog;
}

export class MemoryAdmission implements Admission {
  private readonly counters = new Map<string, Counters>();
  private slotFreed?: (tenantId: string) => void;

  constructor(
    private readonly defaultMaxConcurrent: number,
    private readonly now: () => number = Date.now,
  ) {}

  async admit(req: AdmissionRequest): Promise<AdmissionResult> {
    return this.admitSync(req);
  }

  admitSync(req: AdmissionRequest): AdmissionResult {
    const now = this.now();
    const scopes = scopesFor(req, this.defaultMaxConcurrent);
    const cs = scopes.map((s) => this.countersFor(s.id));
    let refused: { limit: RateLimitName; scope: Scope; retryAfterMs: number } | undefined;
    scopes.forEach((s, i) => {
      const c = cs[i]!;
      c.requests.prune(now);
      c.tokens.prune(now);
      const check = (limit: RateLimitName, wait: number) => {
        if (wait > 0 && (!refused || wait > refused.retryAfterMs)) refused = { limit, scope: s, retryAfterMs: wait };
      };
      if (s.maxConcurrent > 0 && c.inFlight >= s.maxConcurrent) check("concurrency", 1_000);
      if (s.requestsPerMinute > 0) check("requests", c.requests.waitFor(now, 1, s.requestsPerMinute));
      if (s.tokensPerMinute > 0) check("tokens", c.tokens.waitFor(now, reservation(req.estimatedTokens, s.tokensPerMinute), s.tokensPerMinute));
    });
    if (refused) {
      const state = mergeReports(scopes.map((s, i) => report(s, cs[i]!, now)));
      return { admitted: false, limit: refused.limit, retryAfterMs: refused.retryAfterMs, state, message: refusalMessage(refused.limit, refused.scope, refused.retryAfterMs) };
    }
    const reserved: Array<LogEntry | undefined> = scopes.map((s, i) => {
      const c = cs[i]!;
      if (s.maxConcurrent > 0) c.inFlight++;
      if (s.requestsPerMinute > 0) c.requests.add(now, 1);
      return s.tokensPerMinute > 0 ? c.tokens.add(now, reservation(req.estimatedTokens, s.tokensPerMinute)) : undefined;
    });
    const state = mergeReports(scopes.map((s, i) => report(s, cs[i]!, now)));
    let released = false;
    return {
      admitted: true,
      lease: {
        state,
        release: async (actualTokens?: number) => {
          if (released) return;
          released = true;
          scopes.forEach((s, i) => {
            const c = cs[i]!;
            if (s.maxConcurrent > 0) c.inFlight--;
            const e = reserved[i];
            if (e && actualTokens !== undefined) c.tokens.adjust(e, Math.max(0, Math.ceil(actualTokens)));
          });
          if (scopes[0]!.maxConcurrent > 0) this.slotFreed?.(req.tenant.id);
        },
      },
    };
  }

  async close(): Promise<void> {}

  onSlotFreed(listener: (tenantId: string) => void): void {
    this.slotFreed = listener;
  }

  private countersFor(id: string): Counters {
    let c = this.counters.get(id);
    if (!c) {
      c = { inFlight: 0, requests: new SlidingLog(WINDOW_MS), tokens: new SlidingLog(WINDOW_MS) };
      this.counters.set(id, c);
    }
    return c;
  }
}

function report(s: Scope, c: Counters, now: number): ScopeReport {
  return {
    requestsPerMinute: s.requestsPerMinute,
    requestsUsed: c.requests.count,
    requestsResetMs: c.requests.resetIn(now),
    tokensPerMinute: s.tokensPerMinute,
    tokensUsed: c.tokens.sum,
    tokensResetMs: c.tokens.resetIn(now),
  };
}
