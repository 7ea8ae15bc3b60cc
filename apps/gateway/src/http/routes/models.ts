// GET /v1/models and GET /v1/models/{model}, from the configured catalog.
import { Router as ExpressRouter } from "express";
import { toApiModel, type Catalog } from "../../routing/catalog";
import type { Tenant } from "../../state/key-store";
import { modelNotAllowed, notFound } from "../http-error";

export function modelRoutes(catalog: Catalog): ExpressRouter {
  const r = ExpressRouter();
  const visible = (tenant: Tenant) => catalog.available().filter((m) => !tenant.allowedModels || tenant.allowedModels.includes(m.id));
  r.get("/v1/models", (_req, res) => {
    res.json({ object: "list", data: visible(res.locals.tenant as Tenant).map(toApiModel) });
  });
  r.get("/v1/models/:model", (req, res) => {
    const id = req.params.model as string;
    const m = visible(res.locals.tenant as Tenant).find((x) => x.id === id);
    if (!m) {
      const known = catalog.get(id);
      const tenant = res.locals.tenant as Tenant;
      if (known && tenant.allowedModels && !tenant.allowedModels.includes(id)) throw modelNotAllowed(id);
      const why = known && !catalog.isAvailable(known) ? `: ${known.deployments[0]!.provider.notConfiguredReason ?? "its provider is not configured"}` : "";
      throw notFound(`The model '${id}' does not exist or you do not have access to it${why}.`, "model_not_found", "model");
    }
    res.json(toApiModel(m));
  });
  return r;
}
