// POST /v1/embeddings: OpenAI's embeddings, for models with the `embeddings` capability on providers that can
// embed (OpenAI and OpenAI-compatible). Anything else is a clear 400 before any upstream call.
import { Router as ExpressRouter, type Request, type Response } from "express";
import type { Admission } from "../../admission/types";
import { completeOnCandidates } from "../../messages/run-on-candidates";
import { RUNESTONE_FIELDS } from "../../pipeline/prepare-chat";
import type { ChatRequest, EmbeddingRequest, EmbeddingResponse } from "../../core/provider-contract";
import type { Router } from "../../routing/router";
import { hasCapability } from "../../routing/catalog";
import { contextOf } from "../../core/request-context";
import { estimateEmbeddingInputTokens } from "../../core/estimate-tokens";
import { badRequest } from "../../core/http-error";
import { routingHeaders } from "../routing-headers";
import { admitRequest } from "../../admission/admit-request";
import { upstreamSignal } from "../upstream-signal";
import type { UsageLedger } from "../../telemetry/usage-ledger";

export interface EmbeddingsDeps {
  router: Router;
  requestTimeoutMs: number;
  admission?: Admission;
  ledger?: UsageLedger;
}

export function embeddingsRoutes(deps: EmbeddingsDeps): ExpressRouter {
  const r = ExpressRouter();
  r.post("/v1/embeddings", (req, res) => handleEmbeddings(deps, req, res));
  return r;
}

async function handleEmbeddings(deps: EmbeddingsDeps, req: Request, res: Response): Promise<void> {
  const body = req.body as EmbeddingRequest & Record<string, unknown>;
  const ctx = contextOf(res);
  const tenant = ctx.tenant!;
  const view: Record<string, unknown> = { model: body.model, messages: [] };
  for (const f of RUNESTONE_FIELDS) if (body[f] !== undefined) view[f] = body[f];
  const plan = deps.router.route(view as ChatRequest & Record<string, unknown>, tenant.allowedModels);
  ctx.routingPolicy = plan.policy;
  const model = plan.candidates[0]!.model;
  if (!hasCapability(model, "embeddings")) {
    throw badRequest(`model '${model.id}' does not support embeddings (capabilities: ${model.capabilities.join(", ")})`, "model", "model_not_supported");
  }
  const candidates = plan.candidates.filter((c) => c.provider.embed);
  if (!candidates.length) {
    const who = [...new Set(plan.candidates.map((c) => `'${c.provider.id}' (${c.provider.kind})`))].join(", ");
    throw badRequest(`model '${model.id}' is served by ${who}, which cannot serve embeddings; only openai and openai-compatible providers can`, "model", "model_not_supported");
  }
  const forward: Record<string, unknown> = { ...body };
  for (const f of RUNESTONE_FIELDS) delete forward[f];

  const inputTokens = estimateEmbeddingInputTokens(body.input);
  await admitRequest(res, deps, tenant, { tokens: inputTokens, promptTokens: inputTokens });
  const { signal, inFlight } = upstreamSignal(res, deps.requestTimeoutMs);
  const { result, attempt } = await completeOnCandidates<EmbeddingResponse>(
    { ...plan, candidates },
    {
      complete: (c, _call, s) =>
        c.provider.embed!({ body: forward as EmbeddingRequest & Record<string, unknown>, upstreamModel: c.upstreamModel, requestId: ctx.requestId }, s),
    },
    signal,
    inFlight,
  );
  ctx.attempt = attempt;
  ctx.usage = { prompt_tokens: result.usage.prompt_tokens, completion_tokens: 0, total_tokens: result.usage.total_tokens };
  res.set(routingHeaders(res, attempt, plan.policy));
  res.json(result);
}
