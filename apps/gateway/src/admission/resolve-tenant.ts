// What a request's `tenant_id` means: a label inside the caller's own tenant, or a tenant the key was
// created to act for. Naming any other tenant is refused, so it is never a way into another tenant's
// limits, usage or data.
import { HttpError } from "../http/http-error";
import type { KeyPrincipal, Tenant } from "../state/key-store";

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
  if (tenantById(requested)) {
    throw new HttpError({
      status: 403,
      type: "permission_error",
      code: "tenant_not_allowed",
      param: "tenant_id",
      message: "This API key may not act for that tenant. Use tenant_id as a label inside your own tenant, or a key created to act for it.",
    });
  }
  return { tenant: own, label: requested };
}
