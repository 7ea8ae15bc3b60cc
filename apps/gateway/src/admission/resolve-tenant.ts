// What a request's `tenant_id` means: a tenant the key was created to act for, or else a label inside
// the caller's own tenant. Any other value, the id of a tenant the key may not act for included, is
// just a label: it never reaches another tenant's limits, usage or data, and the answer is the same
// whether or not such a tenant exists, so tenant ids cannot be enumerated through it.
import type { KeyPrincipal, Tenant } from "../core/tenant";

export interface ResolvedTenant {
  tenant: Tenant;
  /** The label recorded with usage ("" for none). */
  label: string;
}

export function resolveTenantId(principal: KeyPrincipal, requested: unknown, tenantById: (id: string) => Tenant | undefined): ResolvedTenant {
  const own = principal.tenant;
  if (typeof requested !== "string" || requested === "" || requested === own.id) return { tenant: own, label: "" };
  if (principal.actFor?.includes(requested)) {
    const other = tenantById(requested);
    if (other) return { tenant: other, label: "" };
  }
  return { tenant: own, label: requested };
}
