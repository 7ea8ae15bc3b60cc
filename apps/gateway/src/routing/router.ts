// Turns a request into an ordered list of candidate deployments under a routing policy.
//
// `default`: the named model's deployments, in configured order (or weighted, see weighted-order.ts).
// `cost`: every deployment that satisfies the request's constraints, cheapest blended price first.
// Each constraint is applied in turn; the first one that leaves nothing is named in the 400.
import { HttpError, badRequest, modelNotAllowed, notFound } from "../core/http-error";
import type { ChatRequest } from "../core/provider-contract";
import { Resilience } from "../resilience/resilience";
import { allowedDeployments } from "./allowed-models";
import { hasCapability, type Catalog } from "./catalog";
import type { CatalogModel, Deployment, Pricing } from "../core/catalog-model";
import { estimatePromptTokens } from "../core/estimate-tokens";
import { impliedNeeds } from "./request-needs";
import { orderByWeight } from "./weighted-order";
import type { RoutingPolicy } from "../core/routing-policy";
import type { Candidate, RoutePlan } from "../core/route-plan";

export interface RouteOptions {
  /** The request will be streamed even without `stream: true` (POST /v1/chat/stream). */
  stream?: boolean;
  /**
   * What the request asks the model to do (default `chat`: chat completions, Messages, Responses). A named model
   * that cannot do it is the client's 400 here, before any upstream call, whichever route asked.
   */
  serves?: "chat" | "embeddings";
}

/** USD per token, blended as (3 x input + 1 x output) / 4: the documented unit of max_cost_per_token. */
export function blendedPrice(p: Pricing): number {
  return (3 * p.input_per_1m + p.output_per_1m) / 4 / 1_000_000;
}

interface Option {
  model: CatalogModel;
  deployment: Deployment;
}

interface Constraint {
  param: string;
  keep: (o: Option) => boolean;
  /** Why nothing is left, given what was left before this constraint. */
  why: (before: Option[]) => string;
}

type Body = ChatRequest & Record<string, unknown>;

export class Router {
  constructor(
    private readonly catalog: Catalog,
    private readonly defaultPolicy: RoutingPolicy,
    private readonly resilience: Resilience = new Resilience(),
  ) {}

  route(req: Body, allowedModels?: string[], opts: RouteOptions = {}): RoutePlan {
    const requested = req.routing_policy as RoutingPolicy | undefined;
    // Without a model there is nothing to take "in order": choosing one is the cost policy's job.
    const policy: RoutingPolicy = req.model ? (requested ?? this.defaultPolicy) : "cost";
    const stream = opts.stream === true || req.stream === true;
    const serves = opts.serves ?? "chat";
    let options = this.startingOptions(req, allowedModels, serves);
    options = this.restrictProvider(req, options);
    options = apply(options, policy === "cost" ? this.costConstraints(req, stream, serves) : explicitConstraints(req));
    // One deployment (the usual named model) has one order: no weights drawn, no copies.
    const ordered = policy === "cost" ? byPrice(options) : options.length === 1 ? options : orderByWeight(options.map((o) => ({ ...o, weight: o.deployment.weight })));
    return { policy, candidates: ordered.map((o) => this.candidate(o)), resilience: this.resilience };
  }

  private candidate(o: Option): Candidate {
    return {
      model: o.model,
      provider: o.deployment.provider,
      upstreamModel: o.deployment.model,
      // A model outside the catalog has its own breaker too, in the registry's bounded part (breaker-registry.ts).
      breaker: this.resilience.breakers.get(o.deployment.provider.id, o.deployment.model, o.model.source !== "catalog"),
    };
  }

  private startingOptions(req: Body, allowedModels: string[] | undefined, serves: "chat" | "embeddings"): Option[] {
    if (req.model) {
      const id = req.model;
      // `provider` with a name nothing else knows reaches that provider, as `<provider>/<name>` would.
      const provider = req.provider as string | undefined;
      let model = this.catalog.resolve(id);
      if (provider && (!model || (model.source === "model_pattern" && model.deployments[0]!.provider.id !== provider))) {
        model = this.catalog.onProvider(provider, id, id, "provider_prefix") ?? model;
      }
      if (!model) throw notFound(this.catalog.unknownModelMessage(id), "model_not_found", "model");
      const deployments = allowedDeployments(allowedModels, id, model);
      if (!deployments.length) throw modelNotAllowed(id);
      refuseUnfitModel(model, serves);
      return deployments.map((deployment) => ({ model, deployment }));
    }
    const all = this.catalog.all().flatMap((model) => allowedDeployments(allowedModels, model.id, model).map((deployment) => ({ model, deployment })));
    // The built-in mock is free but only echoes: choosing a model for a client, it is a candidate only when
    // asked for by provider or when no real provider can serve (the try-it-out setup).
    if (req.provider === undefined && all.some((o) => o.deployment.provider.kind !== "mock" && o.deployment.provider.configured)) {
      return all.filter((o) => o.deployment.provider.kind !== "mock");
    }
    return all;
  }

  /** `provider`, then whether a key is configured: both with their own clear errors. */
  private restrictProvider(req: Body, options: Option[]): Option[] {
    const provider = req.provider as string | undefined;
    if (provider) {
      const kept = options.filter((o) => o.deployment.provider.id === provider);
      if (!kept.length) {
        const what = req.model ? `model '${req.model}' is not served by provider '${provider}'` : `no model of the catalog is served by provider '${provider}'`;
        throw badRequest(`No deployment satisfies the routing constraints: 'provider' ruled out every candidate: ${what}.`, "provider", "no_route");
      }
      options = kept;
    }
    const usable = options.filter((o) => o.deployment.provider.configured);
    if (!usable.length) {
      const reason = options[0]?.deployment.provider.notConfiguredReason ?? "its provider is not configured";
      const what = req.model ? `model '${req.model}' cannot be served` : "no model can be served";
      throw new HttpError({ status: 400, type: "invalid_request_error", code: "provider_not_configured", param: req.model ? "model" : "provider", message: `${what}: ${reason}` });
    }
    return usable;
  }

  private costConstraints(req: Body, stream: boolean, serves: "chat" | "embeddings"): Constraint[] {
    const out = explicitConstraints(req);
    // max_cost_per_token goes last: a budget error should mean "too expensive", nothing else.
    const budget = out[out.length - 1]?.param === "max_cost_per_token" ? out.pop() : undefined;
    const needs = serves === "chat" ? impliedNeeds(req, stream) : [{ capability: "embeddings", param: "model" }];
    for (const need of needs) {
      out.push({
        param: need.param,
        keep: (o) => hasCapability(o.model, need.capability),
        why: () => `the request needs '${need.capability}' (because of '${need.param}') and no remaining model has it`,
      });
    }
    const requestedOutput = (req.max_completion_tokens as number | null | undefined) ?? (req.max_tokens as number | null | undefined) ?? 0;
    let estimate: number | undefined;
    const promptTokens = () => (estimate ??= estimatePromptTokens(req));
    out.push({
      param: "messages",
      keep: (o) => promptTokens() + requestedOutput <= o.model.contextWindow,
      why: (before) =>
        `the estimated prompt (~${promptTokens()} tokens${requestedOutput ? ` plus ${requestedOutput} output tokens` : ""}) fits no remaining context window (largest: ${Math.max(...before.map((o) => o.model.contextWindow))} tokens)`,
    });
    if (!req.model) {
      // Choosing a model for the client: one without a price could cost anything, so it is never chosen.
      out.push({
        param: "model",
        keep: (o) => o.deployment.pricing !== undefined,
        why: () => "the cost policy only chooses priced models and no remaining model has a price (add `pricing` to its catalog entry)",
      });
    }
    if (budget) out.push(budget);
    return out;
  }
}

/**
 * OpenAI answers a chat request to an embeddings model (and the reverse) with a 400 naming `model`; so do we, for
 * every route, instead of forwarding a request the upstream can only refuse. A model whose capabilities are
 * unknown (a pattern match the price table does not know) is given the benefit of the doubt.
 */
function refuseUnfitModel(model: CatalogModel, serves: "chat" | "embeddings"): void {
  if (hasCapability(model, serves)) return;
  const has = model.capabilities.length ? model.capabilities.join(", ") : "none";
  const message =
    serves === "chat"
      ? model.capabilities.includes("embeddings")
        ? `model '${model.id}' is an embeddings model and does not support chat (capabilities: ${has}); use it on POST /v1/embeddings`
        : `model '${model.id}' is not a chat model (capabilities: ${has})`
      : `model '${model.id}' does not support embeddings (capabilities: ${has}); use an embeddings model`;
  throw badRequest(message, "model", "model_not_supported");
}

/** Constraints the client stated; both policies honour them. max_cost_per_token is always last. */
function explicitConstraints(req: Body): Constraint[] {
  const family = req.model_family as string | undefined;
  const caps = req.capabilities as string[] | undefined;
  const maxCost = req.max_cost_per_token as number | undefined;
  const out: Constraint[] = [];
  // Only the constraints the request states: one absent keeps every option (the usual request states none).
  if (!family && !caps?.length && maxCost === undefined) return out;
  if (family) out.push({
    param: "model_family",
    keep: (o) => o.model.family === family,
    why: (before) => `no remaining model is of family '${family}' (families: ${[...new Set(before.map((o) => o.model.family))].sort().join(", ")})`,
  });
  for (const cap of caps ?? []) {
    out.push({ param: "capabilities", keep: (o) => hasCapability(o.model, cap), why: () => `no remaining model has capability '${cap}'` });
  }
  if (maxCost !== undefined) out.push({
    param: "max_cost_per_token",
    // A deployment without a price cannot be shown to fit a budget.
    keep: (o) => o.deployment.pricing !== undefined && blendedPrice(o.deployment.pricing) <= maxCost,
    why: (before) => {
      const prices = before.flatMap((o) => (o.deployment.pricing ? [blendedPrice(o.deployment.pricing)] : []));
      const cheapest = prices.length ? `; the cheapest remaining costs ${Number(Math.min(...prices).toPrecision(6))} USD per token (blended)` : "; no remaining deployment has a price";
      return `every remaining deployment costs more than ${maxCost} USD per token (blended (3 x input + output) / 4)${cheapest}`;
    },
  });
  return out;
}

function apply(options: Option[], constraints: Constraint[]): Option[] {
  for (const c of constraints) {
    const kept = options.filter(c.keep);
    if (!kept.length) {
      throw badRequest(`No deployment satisfies the routing constraints: '${c.param}' ruled out every candidate: ${c.why(options)}.`, c.param, "no_route");
    }
    options = kept;
  }
  return options;
}

/** Cheapest blended price first; deployments without a price come last. Ties keep catalog order. */
function byPrice(options: Option[]): Option[] {
  const price = (o: Option) => (o.deployment.pricing ? blendedPrice(o.deployment.pricing) : Number.POSITIVE_INFINITY);
  return options
    .map((o, i) => ({ o, i, p: price(o) }))
    .sort((a, b) => (a.p === b.p ? a.i - b.i : a.p - b.p))
    .map((x) => x.o);
}
