// GET /v1/models and GET /v1/models/{model}: the catalog (also models whose provider has no key, marked
// unavailable), the discovered models of providers with `discover: true`, and any `<provider>/<model>` or
// pattern-matched name on request. `{model}` may carry its slash as is (`/v1/models/openai/gpt-4o`) or
// percent-encoded (`openai%2Fgpt-4o`, as the OpenAI SDK sends it). A request with `anthropic-version` (Anthropic's
// SDKs) gets the same models in Anthropic's shape (routing/to-anthropic-model.ts), paged by Anthropic's limit,
// after_id and before_id, and the `request-id` header.
import { Router as ExpressRouter, type Request, type Response } from "express";
import { toApiModel, type Catalog } from "../../routing/catalog";
import { toAnthropicModel, toAnthropicModelList } from "../../routing/to-anthropic-model";
import type { CatalogModel } from "../../core/catalog-model";
import { allowedDeployments } from "../../routing/allowed-models";
import type { ModelDiscovery } from "../../routing/model-discovery";
import type { Tenant } from "../../core/tenant";
import { contextOf } from "../../core/request-context";
import { modelNotAllowed, notFound } from "../../core/http-error";

export function modelRoutes(catalog: Catalog, discovery?: ModelDiscovery): ExpressRouter {
  const r = ExpressRouter();
  const visible = (tenant: Tenant, m: CatalogModel) => allowedDeployments(tenant.allowedModels, m.id, m).length > 0;

  /** Whether the client speaks Anthropic's API; then its SDK also reads the id from `request-id`. */
  const anthropic = (req: Request, res: Response) => {
    if (typeof req.headers["anthropic-version"] !== "string") return false;
    res.setHeader("request-id", contextOf(res).requestId);
    return true;
  };

  r.get("/v1/models", (req, res) => {
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
    const shown = models.filter((m) => visible(tenant, m));
    if (!anthropic(req, res)) return void res.json({ object: "list", data: shown.map(toApiModel) });
    // The validator has checked these (limit an integer 1..1000); the simple query parser leaves them strings.
    const q = req.query as { limit?: string; after_id?: string; before_id?: string };
    res.json(toAnthropicModelList(shown, { limit: q.limit === undefined ? undefined : Number(q.limit), afterId: q.after_id, beforeId: q.before_id }));
  });

  const retrieve = (id: string, req: Request, res: Response) => {
    const shape = anthropic(req, res) ? toAnthropicModel : toApiModel;
    const m = catalog.resolve(id);
    if (!m) throw notFound(catalog.unknownModelMessage(id), "model_not_found", "model");
    if (!visible(contextOf(res).tenant!, m)) throw modelNotAllowed(id);
    res.json(shape(m));
  };
  r.get("/v1/models/:model", (req, res) => retrieve(req.params.model as string, req, res));
  // A literal slash splits the id over several path segments.
  r.get("/v1/models/*rest", (req: Request, res) => retrieve((req.params as { rest: string[] }).rest.join("/"), req, res));
  return r;
}
