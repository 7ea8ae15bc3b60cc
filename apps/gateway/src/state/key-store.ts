// API keys, stored only as SHA-256 hashes. Lookup hashes the presented key and confirms the
// stored hash with timingSafeEqual, so neither the key nor its hash leaks through timing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { TenantConfig } from "../config/schema";
import type { KeyPrincipal, Tenant } from "../core/tenant";

export interface KeyStore {
  lookup(key: string): Tenant | undefined;
  resolve?(key: string): KeyPrincipal | undefined;
}

export function hashKey(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

export function tenantFromConfig(t: TenantConfig): Tenant {
  return { id: t.id, limits: { ...t.limits }, allowedModels: t.allowed_models, overflow: t.overflow };
}

interface Entry {
  hash: Buffer;
  principal: KeyPrincipal;
}

export class MemoryKeyStore implements KeyStore {
  private byHash = new Map<string, Entry>();

  static fromConfig(tenants: TenantConfig[], resolveTenant?: (id: string) => Tenant): MemoryKeyStore {
    const store = new MemoryKeyStore();
    for (const t of tenants) {
      const tenant = resolveTenant?.(t.id) ?? tenantFromConfig(t);
      for (const k of t.keys) store.add(hashKey(k), tenant);
      for (const h of t.key_hashes) store.add(Buffer.from(h, "hex"), tenant);
    }
    return store;
  }

  add(hash: Buffer, tenant: Tenant, extra: Omit<KeyPrincipal, "tenant" | "keyId"> & { keyId?: string } = {}): void {
    const hex = hash.toString("hex");
    this.byHash.set(hex, { hash, principal: { keyId: extra.keyId ?? `cfg_${hex.slice(0, 12)}`, tenant, limits: extra.limits, actFor: extra.actFor } });
  }

  /** Swaps the whole set at once, so a lookup never sees a half-applied refresh. */
  replaceWith(other: MemoryKeyStore): void {
    this.byHash = other.byHash;
  }

  resolve(key: string): KeyPrincipal | undefined {
    const hash = hashKey(key);
    const entry = this.byHash.get(hash.toString("hex"));
    if (!entry || !timingSafeEqual(entry.hash, hash)) return undefined;
    return entry.principal;
  }

  lookup(key: string): Tenant | undefined {
    return this.resolve(key)?.tenant;
  }
}
