// GET /v1/models and GET /v1/models/{model}: the catalog (also models whose provider has no key, marked
// unavailable), the discovered models of providers with `discover: true`, and any `<provider>/<model>` or
// pattern-matched name on request. `{model}` may carry its slash as is (`/v1/models/openai/gpt-4o`) or
// percent-encoded (`openai%2Fgpt-4o`, as the OpenAI SDK sends it).
import { Router as ExpressRouter, type Request, type Response } from "express";
import { toApiModel, type Catalog } from "../../routing/catalog";
import type { CatalogModel } from "../../core/catalog-model";
import { allowedDeployments } from "../../routing/allowed-models";
import type { ModelDiscovery } from "../../routing/model-discovery";
import type { Tenant } from "../../core/tenant";
import { contextOf } from "../../core/request-context";
import { modelNotAllowed, notFound } from "../../core/http-error";

export function modelRoutes(catalog: Catalog, discovery?: ModelDiscovery): ExpressRouter {
  const r = ExpressRouter();
  const visible = (tenant: Tenant, m: CatalogModel) => allowedDeployments(tenant.allowedModels, m.id, m).length > 0;

  r.get("/v1/models", (_req, res) => {
    const tenant = contextOf(res).tenant!;
    const models = catalog.all();
    const listed = new Set(models.map((m) => m.id));
    for (const provider of discovery?.providers() ?? []) {
      for (const upstream of discovery!.list(provider)) {
        const id = `${provider}/${upstream}`;
        if (listed.has(id)) continue;
        const m = catalog.onProvider(provider, upstream, id, "discovered");
        if (m) {
          models.push(m);
          listed.add(id);
        }
      }
    }
    res.json({ object: "list", data: models.filter((m) => visible(tenant, m)).map(toApiModel) });
  });

  const retrieve = (id: string, res: Response) => {
    const m = catalog.resolve(id);
    if (!m) throw notFound(catalog.unknownModelMessage(id), "model_not_found", "model");
    if (!visible(contextOf(res).tenant!, m)) throw modelNotAllowed(id);
    res.json(toApiModel(m));
  };
  r.get("/v1/models/:model", (req, res) => retrieve(req.params.model as string, res));
  // A literal slash splits the id over several path segments.
  r.get("/v1/models/*rest", (req: Request, res) => retrieve((req.params as { rest: string[] }).rest.join("/"), res));
  return r;
}
