// POST /v1/embeddings: OpenAI's embeddings, for models with the `embeddings` capability on providers that can
// embed (OpenAI and OpenAI-compatible), along the request's way: decode (route plan, the candidates that can
// embed, the body to forward; anything unservable is a clear 400 before any upstream call) -> admit ->
// execute over the candidates -> respond (JSON).
import type { Request, Response } from "express";
import { admitRequest } from "../../admission/admit-request";
import { estimateEmbeddingInputTokens } from "../../core/estimate-tokens";
import { badRequest } from "../../core/http-error";
import type { ChatRequest, EmbeddingRequest, EmbeddingResponse } from "../../core/provider-contract";
import { contextOf } from "../../core/request-context";
import type { Candidate, RoutePlan } from "../../core/route-plan";
import type { Tenant } from "../../core/tenant";
import { runestoneFieldsOf, withoutRunestoneFields } from "../../core/runestone-fields";
import { routingHeaders } from "../../pipeline/routing-headers";
import { sendJson } from "../../pipeline/send-json";
import { completeOnCandidates } from "../../pipeline/run-on-candidates";
import type { ModelEndpointDeps } from "../../pipeline/endpoint-deps";
import { upstreamSignal } from "../../pipeline/upstream-signal";
import type { Router } from "../../routing/router";

export type EmbeddingsDeps = ModelEndpointDeps;

export async function handleEmbeddings(deps: EmbeddingsDeps, req: Request, res: Response): Promise<void> {
  const body = req.body as EmbeddingRequest & Record<string, unknown>;
  const ctx = contextOf(res);
  const tenant = ctx.tenant!;
  const plan = routeEmbeddings(deps.router, body, tenant);
  ctx.routingPolicy = plan.policy;
  const candidates = embeddingCandidates(plan);
  const forward = forwardBody(body);

  const inputTokens = estimateEmbeddingInputTokens(body.input);
  await admitRequest(res, deps, tenant, { tokens: inputTokens, promptTokens: inputTokens, candidates });
  const { signal, inFlight } = upstreamSignal(res, deps.requestTimeoutMs);
  const { result, attempt } = await completeOnCandidates<EmbeddingResponse>(
    { ...plan, candidates },
    { complete: (c, _call, s) => c.provider.embed!({ body: forward, upstreamModel: c.upstreamModel, requestId: ctx.requestId }, s) },
    signal,
    inFlight,
  );
  ctx.attempt = attempt;
  ctx.usage = { prompt_tokens: result.usage.prompt_tokens, completion_tokens: 0, total_tokens: result.usage.total_tokens };
  sendJson(res, 200, result, routingHeaders(res, attempt, plan.policy), deps.validateResponses === true);
}

/** The route plan for the requested model: the router reads only the model and Runestone's routing fields. */
function routeEmbeddings(router: Router, body: EmbeddingRequest & Record<string, unknown>, tenant: Tenant): RoutePlan {
  const view: Record<string, unknown> = { model: body.model, messages: [], ...runestoneFieldsOf(body) };
  return router.route(view as ChatRequest & Record<string, unknown>, tenant.allowedModels, { serves: "embeddings" });
}

/** The plan's candidates whose provider can embed (the router refused a model without the capability); a 400 before any upstream call when there is none. */
function embeddingCandidates(plan: RoutePlan): Candidate[] {
  const model = plan.candidates[0]!.model;
  const candidates = plan.candidates.filter((c) => c.provider.embed);
  if (!candidates.length) {
    const who = [...new Set(plan.candidates.map((c) => `'${c.provider.id}' (${c.provider.kind})`))].join(", ");
    throw badRequest(`model '${model.id}' is served by ${who}, which cannot serve embeddings; only openai and openai-compatible providers can`, "model", "model_not_supported");
  }
  return candidates;
}

/** The client's body as the provider gets it: without Runestone's own fields. */
function forwardBody(body: EmbeddingRequest & Record<string, unknown>): EmbeddingRequest & Record<string, unknown> {
  return withoutRunestoneFields(body);
}
