// Managed keys kept only in this process: for an app built without a state backend (unit tests).
import type { KeyRepository, KeySnapshot, StoredKey } from "./key-records";
import type { Limits } from "../core/tenant";

export class MemoryKeyRepository implements KeyRepository {
  private readonly keys = new Map<string, StoredKey>();
  private readonly overrides = new Map<string, Limits>();
  private readonly listeners: Array<() => void> = [];

  async load(): Promise<KeySnapshot> {
    return { keys: [...this.keys.values()].map((k) => ({ ...k })), overrides: new Map(this.overrides) };
  }

  async insert(k: StoredKey): Promise<void> {
    this.keys.set(k.id, { ...k });
    this.changed();
  }

  async revoke(id: string, at: number): Promise<StoredKey | undefined> {
    const k = this.keys.get(id);
    if (!k) return undefined;
    k.revokedAt ??= at;
    this.changed();
    return { ...k };
  }

  async setOverrides(tenantId: string, limits: Limits): Promise<void> {
    if (Object.keys(limits).length) this.overrides.set(tenantId, limits);
    else this.overrides.delete(tenantId);
    this.changed();
  }

  watch(onChange: () => void): void {
    this.listeners.push(onChange);
  }

  async close(): Promise<void> {}

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
