// API keys, stored only as SHA-256 hashes. Lookup hashes the presented key and confirms the
// stored hash with timingSafeEqual, so neither the key nor its hash leaks through timing.
import { hash, timingSafeEqual } from "node:crypto";
import type { TenantConfig } from "../config/schema";
import type { KeyPrincipal, Tenant } from "../core/tenant";

export interface KeyStore {
  lookup(key: string): Tenant | undefined;
  resolve?(key: string): KeyPrincipal | undefined;
}

export function hashKey(key: string): Buffer {
  return hash("sha256", key, "buffer");
}

/** hashKey as hex: the one-shot digest straight to hex is about 3x cheaper than a Hash object and hex of its Buffer. */
function hashKeyHex(key: string): string {
  return hash("sha256", key, "hex");
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
    const hex = hashKeyHex(key);
    const entry = this.byHash.get(hex);
    if (!entry || !timingSafeEqual(entry.hash, Buffer.from(hex, "hex"))) return undefined;
    return entry.principal;
  }

  lookup(key: string): Tenant | undefined {
    return this.resolve(key)?.tenant;
  }
}
