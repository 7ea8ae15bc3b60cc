// Who a request is for: the tenant with its effective limits, and the key that spoke for it. Every floor
// from admission up reads these; state/ stores them (key-store.ts and the key repositories).
import type { TenantConfig } from "../config/schema";

export type Limits = TenantConfig["limits"];

export interface Tenant {
  id: string;
  /** The effective limits: the config file's, with the admin API's overrides on top. */
  limits: Limits;
  allowedModels?: string[];
  overflow: TenantConfig["overflow"];
}

/** Who a key speaks for: its tenant, its own limits and the other tenants it may act for. */
export interface KeyPrincipal {
  /** Stable id of the key (managed keys: their id; config keys: a prefix of the hash). */
  keyId: string;
  tenant: Tenant;
  limits?: Limits;
  actFor?: readonly string[];
}
