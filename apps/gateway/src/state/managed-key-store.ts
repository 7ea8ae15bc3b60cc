// The keys a request may present: those written in the config file plus those created through the
// admin API, with tenant limit overrides applied. Lookups read an in-memory copy (never the disk or
// the network); any change in the backend rebuilds that copy and swaps it in whole.
import type { TenantConfig } from "../config/schema";
import { MemoryKeyStore, tenantFromConfig, type KeyStore } from "./key-store";
import type { KeyPrincipal, Limits, Tenant } from "../core/tenant";
import { cleanLimits, newKeyRecord, type KeyRepository, type LimitsInput, type StoredKey } from "./key-records";

export class UnknownTenantError extends Error {}

export class ManagedKeyStore implements KeyStore {
  private readonly configTenants: Map<string, TenantConfig>;
  private tenants = new Map<string, Tenant>();
  private overrides = new Map<string, Limits>();
  private stored: StoredKey[] = [];
  private readonly memory = new MemoryKeyStore();
  private refreshing?: Promise<void>;
  private again = false;

  private constructor(
    tenants: TenantConfig[],
    private readonly repo: KeyRepository,
  ) {
    this.configTenants = new Map(tenants.map((t) => [t.id, t]));
    this.rebuild();
  }

  static async open(tenants: TenantConfig[], repo: KeyRepository): Promise<ManagedKeyStore> {
    const store = new ManagedKeyStore(tenants, repo);
    await store.refresh();
    repo.watch(() => void store.refresh().catch(() => undefined));
    return store;
  }

  /** A store whose backend starts empty (memory): usable at once, no load needed. */
  static openSync(tenants: TenantConfig[], repo: KeyRepository): ManagedKeyStore {
    const store = new ManagedKeyStore(tenants, repo);
    repo.watch(() => void store.refresh().catch(() => undefined));
    return store;
  }

  resolve(key: string): KeyPrincipal | undefined {
    return this.memory.resolve(key);
  }

  lookup(key: string): Tenant | undefined {
    return this.memory.lookup(key);
  }

  tenant(id: string): Tenant | undefined {
    return this.tenants.get(id);
  }

  /** A managed key revoked through the admin API (config keys are never revoked here). */
  keyRevoked(id: string): boolean {
    return this.stored.some((k) => k.id === id && k.revokedAt !== null);
  }

  /** A managed key's own limits (enforced on top of its tenant's), e.g. for a job it queued. */
  keyLimits(id: string): Limits | undefined {
    return this.stored.find((k) => k.id === id)?.limits;
  }

  tenantIds(): string[] {
    return [...this.configTenants.keys()];
  }

  /** Reloads from the backend; concurrent calls share one load, and a change during it triggers one more. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.again = false;
          const snap = await this.repo.load();
          this.stored = snap.keys;
          this.overrides = snap.overrides;
          this.rebuild();
        } while (this.again);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  async createKey(init: { tenantId: string; name?: string | null; limits?: LimitsInput; actFor?: string[] }): Promise<{ secret: string; record: StoredKey }> {
    for (const id of [init.tenantId, ...(init.actFor ?? [])]) if (!this.configTenants.has(id)) throw new UnknownTenantError(id);
    const created = newKeyRecord({ ...init, limits: cleanLimits(init.limits) });
    await this.repo.insert(created.record);
    await this.refresh();
    return created;
  }

  listKeys(tenantId?: string): StoredKey[] {
    return this.stored.filter((k) => !tenantId || k.tenantId === tenantId);
  }

  async revokeKey(id: string): Promise<StoredKey | undefined> {
    const k = await this.repo.revoke(id, Math.floor(Date.now() / 1000));
    await this.refresh();
    return k;
  }

  limitsOf(tenantId: string): { config: Limits; overrides: Limits; effective: Limits } {
    const cfg = this.configTenants.get(tenantId);
    if (!cfg) throw new UnknownTenantError(tenantId);
    const overrides = this.overrides.get(tenantId) ?? {};
    return { config: { ...cfg.limits }, overrides: { ...overrides }, effective: { ...cfg.limits, ...overrides } };
  }

  async setLimits(tenantId: string, limits: LimitsInput): Promise<void> {
    if (!this.configTenants.has(tenantId)) throw new UnknownTenantError(tenantId);
    await this.repo.setOverrides(tenantId, cleanLimits(limits));
    await this.refresh();
  }

  async close(): Promise<void> {
    await this.repo.close();
  }

  private rebuild(): void {
    const tenants = new Map<string, Tenant>();
    for (const [id, cfg] of this.configTenants) {
      const t = tenantFromConfig(cfg);
      t.limits = { ...t.limits, ...this.overrides.get(id) };
      tenants.set(id, t);
    }
    const next = MemoryKeyStore.fromConfig([...this.configTenants.values()], (id) => tenants.get(id)!);
    for (const k of this.stored) {
      const tenant = tenants.get(k.tenantId);
      if (k.revokedAt !== null || !tenant) continue;
      next.add(Buffer.from(k.hash, "hex"), tenant, { keyId: k.id, limits: k.limits, actFor: k.actFor });
    }
    this.tenants = tenants;
    this.memory.replaceWith(next);
  }
}
