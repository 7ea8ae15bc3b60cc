// API keys, stored only as SHA-256 hashes. Lookup hashes the presented key and confirms the
// stored hash with timingSafeEqual, so neither the key nor its hash leaks through timing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { TenantConfig } from "../config/schema";

export interface Tenant {
  id: string;
  limits: TenantConfig["limits"];
  allowedModels?: string[];
  overflow: TenantConfig["overflow"];
}

export interface KeyStore {
  lookup(key: string): Tenant | undefined;
}

export function hashKey(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

export class MemoryKeyStore implements KeyStore {
  private readonly byHash = new Map<string, { hash: Buffer; tenant: Tenant }>();

  static fromConfig(tenants: TenantConfig[]): MemoryKeyStore {
    const store = new MemoryKeyStore();
    for (const t of tenants) {
      const tenant: Tenant = { id: t.id, limits: t.limits, allowedModels: t.allowed_models, overflow: t.overflow };
      for (const k of t.keys) store.add(hashKey(k), tenant);
      for (const h of t.key_hashes) store.add(Buffer.from(h, "hex"), tenant);
    }
    return store;
  }

  add(hash: Buffer, tenant: Tenant): void {
    this.byHash.set(hash.toString("hex"), { hash, tenant });
  }

  lookup(key: string): Tenant | undefined {
    const hash = hashKey(key);
    const entry = this.byHash.get(hash.toString("hex"));
    if (!entry || !timingSafeEqual(entry.hash, hash)) return undefined;
    return entry.tenant;
  }
}
