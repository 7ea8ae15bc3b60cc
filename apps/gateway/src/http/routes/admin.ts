// The admin API (admin key only; auth.ts refuses tenant keys here): create, list and revoke API keys,
// and get or set a tenant's limits. Every change is persisted in the state backend and reaches every
// instance within a second.
import { Router as ExpressRouter } from "express";
import type { Schema } from "@runestone/contract";
import type { Limits } from "../../core/tenant";
import type { StoredKey } from "../../state/key-records";
import { UnknownTenantError, type ManagedKeyStore } from "../../state/managed-key-store";
import { HttpError, notFound } from "../../core/http-error";
import { contextOf } from "../../core/request-context";

export function adminRoutes(keys: ManagedKeyStore): ExpressRouter {
  const r = ExpressRouter();
  r.use("/v1/admin", (_req, res, next) => {
    // auth.ts already refuses tenant keys on /v1/admin; this guards against a mount without it.
    if (!contextOf(res).admin) return next(new HttpError({ status: 403, type: "permission_error", code: "permission_denied", message: "the admin API needs the admin key" }));
    next();
  });

  r.get("/v1/admin/keys", (req, res) => {
    const tenant = typeof req.query.tenant_id === "string" ? req.query.tenant_id : undefined;
    const body: Schema<"ApiKeyList"> = { object: "list", data: keys.listKeys(tenant).map(toApiKey) };
    res.json(body);
  });

  r.post("/v1/admin/keys", async (req, res) => {
    const b = req.body as Schema<"CreateApiKeyRequest">;
    const { secret, record } = await withTenant(() => keys.createKey({ tenantId: b.tenant_id, name: b.name, limits: b.limits, actFor: b.act_for }));
    const body: Schema<"CreatedApiKey"> = { ...toApiKey(record), key: secret };
    res.status(201).json(body);
  });

  r.delete("/v1/admin/keys/:key_id", async (req, res) => {
    const k = await keys.revokeKey(req.params.key_id as string);
    if (!k) throw notFound("no API key with that id", "key_not_found", "key_id");
    res.json(toApiKey(k));
  });

  r.get("/v1/admin/tenants/:tenant_id/limits", async (req, res) => {
    const id = req.params.tenant_id as string;
    res.json(await withTenant(async () => limitSettings(id, keys.limitsOf(id))));
  });

  r.put("/v1/admin/tenants/:tenant_id/limits", async (req, res) => {
    const id = req.params.tenant_id as string;
    await withTenant(() => keys.setLimits(id, req.body as Schema<"TenantLimits">));
    res.json(limitSettings(id, keys.limitsOf(id)));
  });
  return r;
}

async function withTenant<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof UnknownTenantError) throw notFound(`no tenant '${err.message}' in the config`, "tenant_not_found", "tenant_id");
    throw err;
  }
}

function toApiKey(k: StoredKey): Schema<"ApiKey"> {
  return {
    object: "api_key",
    id: k.id,
    tenant_id: k.tenantId,
    name: k.name,
    prefix: k.prefix,
    created_at: k.createdAt,
    revoked: k.revokedAt !== null,
    revoked_at: k.revokedAt,
    ...(k.limits ? { limits: k.limits } : {}),
    act_for: k.actFor,
  };
}

function limitSettings(tenantId: string, l: { config: Limits; overrides: Limits; effective: Limits }): Schema<"TenantLimitSettings"> {
  return { object: "tenant.limits", tenant_id: tenantId, config: l.config, overrides: l.overrides, effective: l.effective };
}
