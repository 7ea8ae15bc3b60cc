import type { RequestOptions } from "../client-options";
import { unwrap, type Context } from "../core/context";
import type { TenantLimitSettings } from "../types";

/** GET /v1/admin/tenants/{tenant_id}/limits (getTenantLimits). Needs the admin key. */
export async function getTenantLimits(ctx: Context, tenantId: string, options?: RequestOptions): Promise<TenantLimitSettings> {
  return unwrap(
    await ctx.send(
      (init) => ctx.http.GET("/v1/admin/tenants/{tenant_id}/limits", { params: { path: { tenant_id: tenantId } }, ...init }),
      options,
    ),
  );
}
