// Turns a request into an ordered list of candidates under a routing policy.
import { HttpError, badRequest, notFound } from "../http/http-error";
import type { ChatRequest, Provider } from "../providers/types";
import type { Catalog, CatalogModel } from "./catalog";

export type RoutingPolicy = "default" | "cost";

export interface Candidate {
  model: CatalogModel;
  provider: Provider;
  upstreamModel: string;
}

export interface RoutePlan {
  policy: RoutingPolicy;
  candidates: Candidate[];
}

/** USD per token, blended as (3 x input + 1 x output) / 4: the documented unit of max_cost_per_token. */
export function blendedPricePerToken(m: CatalogModel): number {
  const p = m.pricing;
  if (!p) return 0;
  return (3 * p.input_per_1m + p.output_per_1m) / 4 / 1_000_000;
}

export class Router {
  constructor(
    private readonly catalog: Catalog,
    private readonly defaultPolicy: RoutingPolicy,
  ) {}

  route(req: ChatRequest & Record<string, unknown>, allowedModels?: string[]): RoutePlan {
    const requested = req.routing_policy as RoutingPolicy | undefined;
    const policy: RoutingPolicy = requested ?? (req.model ? this.defaultPolicy : "cost");
    if (req.model && policy === "default") return { policy, candidates: this.byModel(req, allowedModels) };
    return { policy: "cost", candidates: this.byCost(req, allowedModels) };
  }

  private byModel(req: ChatRequest & Record<string, unknown>, allowedModels?: string[]): Candidate[] {
    const id = req.model as string;
    const model = this.catalog.get(id);
    if (!model || (allowedModels && !allowedModels.includes(id))) {
      throw notFound(`The model '${id}' does not exist or you do not have access to it.`, "model_not_found", "model");
    }
    let deployments = model.deployments;
    const provider = req.provider as string | undefined;
    if (provider) {
      deployments = deployments.filter((d) => d.provider.id === provider);
      if (!deployments.length) throw badRequest(`model '${id}' is not served by provider '${provider}'`, "provider", "provider_not_available");
    }
    const usable = deployments.filter((d) => d.provider.configured);
    if (!usable.length) {
      const reason = deployments[0]!.provider.notConfiguredReason ?? "its provider is not configured";
      throw new HttpError({ status: 400, type: "invalid_request_error", code: "provider_not_configured", param: "model", message: `model '${id}' cannot be served: ${reason}` });
    }
    return usable.map((d) => ({ model, provider: d.provider, upstreamModel: d.model }));
  }

  private byCost(req: ChatRequest & Record<string, unknown>, allowedModels?: string[]): Candidate[] {
    const family = req.model_family as string | undefined;
    const caps = (req.capabilities as string[] | undefined) ?? [];
    const maxCost = req.max_cost_per_token as number | undefined;
    const provider = req.provider as string | undefined;
    let models = this.catalog.available();
    if (req.model) models = models.filter((m) => m.id === req.model);
    if (allowedModels) models = models.filter((m) => allowedModels.includes(m.id));
    const steps: Array<[string, (m: CatalogModel) => boolean]> = [
      ["model_family", (m) => !family || m.family === family],
      ["capabilities", (m) => caps.every((c) => m.capabilities.includes(c))],
      ["stream", (m) => !req.stream || m.capabilities.includes("streaming")],
      ["tools", (m) => !req.tools?.length || m.capabilities.includes("function_calling")],
      ["max_cost_per_token", (m) => maxCost === undefined || blendedPricePerToken(m) <= maxCost],
      ["provider", (m) => !provider || m.deployments.some((d) => d.provider.id === provider && d.provider.configured)],
    ];
    for (const [name, keep] of steps) {
      const next = models.filter(keep);
      if (!next.length) {
        throw badRequest(`no available model satisfies the routing constraints: '${name}' ruled out every candidate`, name, "no_route");
      }
      models = next;
    }
    models.sort((a, b) => blendedPricePerToken(a) - blendedPricePerToken(b));
    const out: Candidate[] = [];
    for (const m of models) {
      for (const d of m.deployments) {
        if (!d.provider.configured || (provider && d.provider.id !== provider)) continue;
        out.push({ model: m, provider: d.provider, upstreamModel: d.model });
      }
    }
    return out;
  }
}
