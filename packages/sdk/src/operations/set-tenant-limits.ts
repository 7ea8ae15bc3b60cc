import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { TenantLimits, TenantLimitSettings } from "../types";

/** PUT /v1/admin/tenants/{tenant_id}/limits (setTenantLimits): replaces the tenant's overrides. Needs the admin key. */
export async function setTenantLimits(
  ctx: Context,
  tenantId: string,
  body: TenantLimits,
  options?: RequestOptions,
): Promise<TenantLimitSettings> {
  return unwrap(
    await ctx.send(
      (init) =>
        ctx.http.PUT("/v1/admin/tenants/{tenant_id}/limits", { params: { path: { tenant_id: tenantId } }, body, ...init }),
      options,
    ),
  );
}
