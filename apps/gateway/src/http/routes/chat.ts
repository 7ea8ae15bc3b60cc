// POST /v1/chat/completions (JSON or SSE) and POST /v1/chat/stream (always SSE).
import { Router as ExpressRouter, type Request, type Response } from "express";
import { completeChat } from "../../pipeline/complete-chat";
import { callFor, prepareChat, type PreparedChat } from "../../pipeline/prepare-chat";
import type { ChatRequest, ChunkEvent } from "../../core/provider-contract";
import { startStream } from "../../pipeline/execute";
import { relayStream } from "../../pipeline/relay-stream";
import type { InFlight } from "../../core/route-plan";
import type { Router } from "../../routing/router";
import { SseWriter } from "../../streaming/sse-writer";
import { upstreamSignal } from "../upstream-signal";
import { toHttpError } from "../../core/to-http-error";
import { badRequest } from "../../core/http-error";
import { routingHeaders } from "../routing-headers";
import type { Admission } from "../../admission/types";
import { overflowToQueue, type OverflowDeps } from "../../jobs/overflow";
import { admitChat, rateLimited, resolveChatTenant, tallyAnswer, tallyStreamed, type ChatAccounting } from "../../admission/chat-admission";
import { estimateChatTokens, estimatePromptTokens } from "../../core/estimate-tokens";
import { contextOf, type ResponseFacts } from "../../core/request-context";

export interface ChatDeps {
  router: Router;
  requestTimeoutMs: number;
  admission?: Admission;
  /** Resolves `tenant_id` and records usage in the ledger when a request ends. */
  accounting?: ChatAccounting;
  /** Present when the overflow queue is enabled. */
  overflow?: OverflowDeps;
}

export function chatRoutes(deps: ChatDeps): ExpressRouter {
  const r = ExpressRouter();
  r.post("/v1/chat/completions", (req, res) => handleChat(deps, req, res, false));
  r.post("/v1/chat/stream", (req, res) => handleChat(deps, req, res, true));
  return r;
}

async function handleChat(deps: ChatDeps, req: Request, res: Response, forceStream: boolean): Promise<void> {
  const body = req.body as ChatRequest & Record<string, unknown>;
  const ctx = contextOf(res);
  if (typeof body.request_id === "string" && body.request_id) {
    // It is echoed in the x-request-id header, where only printable ASCII can travel.
    if (!/^[\x20-\x7E]+$/.test(body.request_id)) throw badRequest("request_id must be printable ASCII: it is echoed in the x-request-id header", "request_id");
    // The caller's own correlation id wins over the header and the generated one.
    ctx.requestId = body.request_id;
    res.setHeader("x-request-id", body.request_id);
  }
  resolveChatTenant(deps.accounting, res, body);
  const prepared = prepareChat(deps.router, body, ctx.tenant!, ctx.requestId, forceStream);
  ctx.routingPolicy = prepared.plan.policy;
  // Errors after routing (no_route excepted) say under which policy they happened, too.
  res.setHeader("x-runestone-routing-policy", prepared.plan.policy);
  ctx.stream = prepared.stream;
  if (deps.admission) {
    const promptTokens = estimatePromptTokens(prepared.body);
    const estimate = { tokens: estimateChatTokens(prepared, promptTokens), promptTokens };
    const decision = await admitChat(deps.admission, deps.accounting, res, prepared.tenant, estimate);
    if (!decision.admitted) {
      if (await overflowToQueue(deps.overflow, req, res, prepared, decision)) return;
      throw rateLimited(decision);
    }
  }
  const { signal, inFlight } = upstreamSignal(res, deps.requestTimeoutMs);
  if (!prepared.stream) {
    const { completion, attempt } = await completeChat(prepared, signal, inFlight);
    ctx.attempt = attempt;
    ctx.usage = completion.usage;
    if (!completion.usage) tallyAnswer(ctx, completion as Parameters<typeof tallyAnswer>[1]);
    ctx.response = { id: completion.id, model: completion.model, finishReasons: completion.choices.flatMap((c) => c.finish_reason ?? []) } satisfies ResponseFacts;
    res.set(routingHeaders(res, attempt, prepared.plan.policy));
    res.json(completion);
    return;
  }
  await streamChat(res, prepared, signal, inFlight);
}

async function streamChat(res: Response, p: PreparedChat, signal: AbortSignal, inFlight: InFlight): Promise<void> {
  // Failures before the first chunk propagate (after any fallback): the client gets a JSON error.
  const started = await startStream(p.plan, (c) => callFor(p, c), signal, inFlight);
  const attempt = started.attempt;
  const ctx = contextOf(res);
  ctx.attempt = attempt;
  const sse = new SseWriter(res);
  sse.open(routingHeaders(res, attempt, p.plan.policy));
  const meta = { provider: attempt.candidate.provider.id, routing_policy: p.plan.policy, request_id: p.requestId };
  const facts: ResponseFacts = { finishReasons: [] };
  ctx.response = facts;
  const emit = async (ev: ChunkEvent, isFirst: boolean): Promise<void> => {
    const c = ev.chunk;
    tallyStreamed(ctx, c);
    for (const ch of c.choices) if (ch.finish_reason) facts.finishReasons!.push(ch.finish_reason);
    if (c.usage && c.choices.length === 0) {
      ctx.usage = c.usage;
      if (!p.clientWantsUsage) return;
    }
    if (isFirst) {
      const choice = c.choices[0];
      if (choice && !choice.delta.role) choice.delta = { role: "assistant", ...choice.delta };
      ctx.ttftMs = performance.now() - ctx.startedAt;
      facts.id = c.id;
      facts.model = c.model;
      await sse.data(JSON.stringify({ ...c, ...meta }));
      return;
    }
    await sse.data(ev.raw ?? JSON.stringify(c));
  };

  await relayStream(ctx, started, {
    emit,
    get closed() {
      return sse.closed;
    },
    end: () => sse.done(),
    fail: (err) => sse.fail(toHttpError(err).toBody().error),
  });
}
