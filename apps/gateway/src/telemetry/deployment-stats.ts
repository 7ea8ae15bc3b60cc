// Per deployment (provider + upstream model): upstream calls, failures, retries and fallbacks over the
// last few minutes, for the dashboard. Minute slots in a small typed array per deployment, made the first
// time a deployment is seen (bounded: a pattern-routed model name cannot grow it without end); afterwards
// recording only looks up two maps and increments a counter. When full, a new deployment takes the place of
// the least recently used one, so random model names cannot lock the real deployments out for good.
const SLOTS = 5;
const MINUTE_MS = 60_000;
const ATTEMPTS = 0;
const FAILURES = 1;
const RETRIES = 2;
const FALLBACKS = 3;
const FIELDS = 4;
/** Deployments tracked at most; beyond, the least recently used one is forgotten for a new one. */
export const MAX_DEPLOYMENTS = 256;

interface Slots {
  /** When it was last recorded to, in calls (not time: exact order, no clock read). */
  used: number;
  minute: Float64Array;
  counts: Float64Array;
}

export interface DeploymentCounts {
  provider: string;
  model: string;
  attempts: number;
  failures: number;
  retries: number;
  fallbacks: number;
}

export class DeploymentStats {
  private readonly byProvider = new Map<string, Map<string, Slots>>();
  private size = 0;
  private tick = 0;

  constructor(private readonly now: () => number = Date.now) {}

  attempt(provider: string, model: string, ok: boolean): void {
    this.add(provider, model, ATTEMPTS);
    if (!ok) this.add(provider, model, FAILURES);
  }

  retry(provider: string, model: string | undefined): void {
    if (model !== undefined) this.add(provider, model, RETRIES);
  }

  fallback(provider: string, model: string | undefined): void {
    if (model !== undefined) this.add(provider, model, FALLBACKS);
  }

  /** Every deployment seen, with its counts over the last SLOTS minutes (the current one included). */
  recent(): DeploymentCounts[] {
    const current = Math.floor(this.now() / MINUTE_MS);
    const out: DeploymentCounts[] = [];
    for (const [provider, models] of this.byProvider) {
      for (const [model, s] of models) {
        const sums = [0, 0, 0, 0];
        for (let i = 0; i < SLOTS; i++) {
          if (s.minute[i]! <= current - SLOTS) continue;
          for (let f = 0; f < FIELDS; f++) sums[f]! += s.counts[i * FIELDS + f]!;
        }
        out.push({ provider, model, attempts: sums[ATTEMPTS]!, failures: sums[FAILURES]!, retries: sums[RETRIES]!, fallbacks: sums[FALLBACKS]! });
      }
    }
    return out;
  }

  private add(provider: string, model: string, field: number): void {
    const s = this.slots(provider, model);
    const minute = Math.floor(this.now() / MINUTE_MS);
    const i = minute % SLOTS;
    if (s.minute[i] !== minute) {
      s.minute[i] = minute;
      s.counts.fill(0, i * FIELDS, (i + 1) * FIELDS);
    }
    s.counts[i * FIELDS + field]! += 1;
  }

  private slots(provider: string, model: string): Slots {
    let models = this.byProvider.get(provider);
    let s = models?.get(model);
    if (s) {
      s.used = ++this.tick;
      return s;
    }
    if (this.size >= MAX_DEPLOYMENTS) this.evictLeastRecent();
    models = this.byProvider.get(provider);
    if (!models) this.byProvider.set(provider, (models = new Map()));
    s = { used: ++this.tick, minute: new Float64Array(SLOTS).fill(-1), counts: new Float64Array(SLOTS * FIELDS) };
    models.set(model, s);
    this.size++;
    return s;
  }

  /** A scan of at most MAX_DEPLOYMENTS entries, only when a new deployment arrives while full. */
  private evictLeastRecent(): void {
    let oldest: { provider: string; model: string; used: number } | undefined;
    for (const [provider, models] of this.byProvider) {
      for (const [model, s] of models) if (!oldest || s.used < oldest.used) oldest = { provider, model, used: s.used };
    }
    if (!oldest) return;
    const models = this.byProvider.get(oldest.provider)!;
    models.delete(oldest.model);
    if (models.size === 0) this.byProvider.delete(oldest.provider);
    this.size--;
  }
}
