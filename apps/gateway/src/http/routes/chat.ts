// POST /v1/chat/completions (JSON or SSE) and POST /v1/chat/stream (always SSE).
import { Router as ExpressRouter, type Request, type Response } from "express";
import type { ChatCall, ChatRequest, ChunkEvent } from "../../providers/types";
import { UpstreamError } from "../../providers/upstream-error";
import { executeCompletion, startStream, type Attempt } from "../../resilience/execute";
import type { Candidate, RoutePlan, Router } from "../../routing/router";
import { SseWriter } from "../../streaming/sse-writer";
import type { Tenant } from "../../state/key-store";
import { toHttpError } from "../error-handler";
import { routingHeaders } from "../routing-headers";

/** Runestone's own request fields: used for routing, never forwarded to a provider. */
const RUNESTONE_FIELDS = ["provider", "tenant_id", "model_family", "capabilities", "max_cost_per_token", "request_id", "routing_policy"];

export interface ChatDeps {
  router: Router;
  requestTimeoutMs: number;
}

export function chatRoutes(deps: ChatDeps): ExpressRouter {
  const r = ExpressRouter();
  r.post("/v1/chat/completions", (req, res) => handleChat(deps, req, res, false));
  r.post("/v1/chat/stream", (req, res) => handleChat(deps, req, res, true));
  return r;
}

async function handleChat(deps: ChatDeps, req: Request, res: Response, forceStream: boolean): Promise<void> {
  const body = req.body as ChatRequest & Record<string, unknown>;
  const tenant = res.locals.tenant as Tenant;
  const requestId = res.locals.requestId as string;
  const stream = forceStream || body.stream === true;
  const plan = deps.router.route(body, tenant.allowedModels);

  const forward: Record<string, unknown> = { ...body };
  for (const f of RUNESTONE_FIELDS) delete forward[f];
  const clientWantsUsage = stream && (body.stream_options as { include_usage?: boolean } | null | undefined)?.include_usage === true;
  const callFor = (c: Candidate): ChatCall => ({
    body: forward as ChatCall["body"],
    upstreamModel: c.upstreamModel,
    publicModel: c.model.id,
    stream,
    clientWantsUsage,
    defaultMaxTokens: c.model.maxOutputTokens,
    requestId,
  });

  const client = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) client.abort();
  });
  const signal = AbortSignal.any([client.signal, AbortSignal.timeout(deps.requestTimeoutMs)]);
  res.locals.routingPolicy = plan.policy;

  if (!stream) {
    const { result, attempt } = await executeCompletion(plan.candidates, callFor, signal);
    res.locals.attempt = attempt;
    res.locals.usage = result.usage;
    res.set(routingHeaders(res, attempt, plan.policy));
    res.json({ ...result, model: result.model ?? attempt.candidate.model.id, provider: attempt.candidate.provider.id, routing_policy: plan.policy, request_id: requestId });
    return;
  }
  await streamChat(res, plan, callFor, signal, clientWantsUsage, requestId);
}

async function streamChat(
  res: Response,
  plan: RoutePlan,
  callFor: (c: Candidate) => ChatCall,
  signal: AbortSignal,
  clientWantsUsage: boolean,
  requestId: string,
): Promise<void> {
  // Failures before the first chunk propagate (and may have fallen back): the client gets a JSON error.
  const started = await startStream(plan.candidates, callFor, signal);
  const attempt: Attempt = started.attempt;
  res.locals.attempt = attempt;
  const sse = new SseWriter(res);
  sse.open(routingHeaders(res, attempt, plan.policy));

  const emit = async (ev: ChunkEvent, isFirst: boolean): Promise<void> => {
    const c = ev.chunk;
    if (c.usage && c.choices.length === 0) {
      res.locals.usage = c.usage;
      if (!clientWantsUsage) return;
    }
    if (isFirst) {
      const choice = c.choices[0];
      if (choice && !choice.delta.role) choice.delta = { role: "assistant", ...choice.delta };
      await sse.data(JSON.stringify({ ...c, provider: attempt.candidate.provider.id, routing_policy: plan.policy, request_id: requestId }));
      return;
    }
    await sse.data(ev.raw ?? JSON.stringify(c));
  };

  try {
    if (started.first) await emit(started.first, true);
    for (;;) {
      const next = await started.rest.next();
      if (next.done) break;
      await emit(next.value, false);
      if (sse.closed) break;
    }
    sse.done();
  } catch (err) {
    if (err instanceof UpstreamError && err.kind === "aborted") return;
    res.locals.streamError = err;
    sse.fail(toHttpError(err).toBody().error);
  } finally {
    await started.rest.return?.();
  }
}
