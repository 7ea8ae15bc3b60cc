// POST /v1/messages/count_tokens: Anthropic's token count for a Messages request, for every model of the catalog.
// Decode (route plan: the model, the tenant's allow-list) -> count: a model whose first deployment speaks the
// Messages API natively (Anthropic) asks that upstream (its own count_tokens, over its native deployments with
// the usual retries, fallbacks and breakers); any other model gets the gateway's estimate, the one admission
// reserves, without an upstream call. Counting is not a model call: no tokens reserved, no budget charged and no
// usage record; but a count sent upstream uses the shared key's Anthropic rate limits, so it counts as one request
// against the tenant's requests-per-minute (admit-free-request.ts; the estimate takes no admission at all). Its
// upstream failures count toward the deployment's breaker, which /v1/messages shares (breakers are per
// deployment): a failing count endpoint is taken as that upstream failing. The request log and metrics see it.
// Errors leave in Anthropic's shape.
import type { Request, Response } from "express";
import { admitFreeRequest } from "../../admission/admit-free-request";
import { estimateMessageTokens } from "../../core/estimate-tokens";
import type { ChatRequest } from "../../core/provider-contract";
import { contextOf } from "../../core/request-context";
import type { Candidate } from "../../core/route-plan";
import type { ModelEndpointDeps } from "../../pipeline/endpoint-deps";
import { runestoneFieldsOf, withoutRunestoneFields } from "../../core/runestone-fields";
import { completeOnCandidates } from "../../pipeline/run-on-candidates";
import { upstreamSignal } from "../../pipeline/upstream-signal";
import { readAnthropicTokenCount } from "../../providers/anthropic/read-anthropic-message";
import type { CountTokensRequest, MessagesRequest, TokensCount } from "./messages-types";
import { forwardedHeaders } from "./prepare-messages";

export async function handleCountTokens(deps: ModelEndpointDeps, req: Request, res: Response): Promise<void> {
  const body = req.body as CountTokensRequest & Record<string, unknown>;
  const ctx = contextOf(res);
  const view: Record<string, unknown> = { model: body.model, messages: [], ...runestoneFieldsOf(body) };
  const plan = deps.router.route(view as ChatRequest & Record<string, unknown>, ctx.tenant!.allowedModels);
  ctx.routingPolicy = plan.policy;

  const native = plan.candidates.filter((c) => c.provider.passthrough);
  if (!native.length || native[0] !== plan.candidates[0]) {
    // The same estimate a /v1/messages request of this prompt reserves under the token limits (max_tokens aside).
    const estimate = estimateMessageTokens({ ...body, max_tokens: 0 } as MessagesRequest);
    res.set({ "x-runestone-token-count": "estimate", "x-runestone-model": plan.candidates[0]!.model.id });
    res.json({ input_tokens: estimate } satisfies TokensCount);
    return;
  }

  await admitFreeRequest(res, deps.admission, ctx.tenant!);
  const headers = forwardedHeaders(req.headers);
  const { signal, inFlight } = upstreamSignal(res, deps.requestTimeoutMs);
  const { result, attempt } = await completeOnCandidates<TokensCount>(
    { ...plan, candidates: native },
    { complete: async (c, _call, s) => readAnthropicTokenCount(await c.provider.passthrough!({ body: forwardBody(body, c), stream: false, headers, requestId: ctx.requestId, path: "/v1/messages/count_tokens" }, s), c.provider.id) as TokensCount },
    signal,
    inFlight,
  );
  ctx.attempt = attempt;
  res.set({ "x-runestone-token-count": "upstream", "x-runestone-provider": attempt.candidate.provider.id, "x-runestone-model": attempt.candidate.model.id });
  res.json(result);
}

/** The client's body as the upstream gets it: the deployment's model name, without Runestone's own fields. */
function forwardBody(body: CountTokensRequest & Record<string, unknown>, c: Candidate): Record<string, unknown> {
  return withoutRunestoneFields(body, { model: c.upstreamModel });
}
