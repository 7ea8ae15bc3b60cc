// POST /v1/chat/completions (JSON or SSE) and POST /v1/chat/stream (always SSE), along the request's way:
// decode (the caller's request id, tenant_id, the route plan) -> admit (tenant and key limits, or the
// overflow queue) -> execute over the candidates -> respond (JSON, or the stream through relay-stream.ts).
// Accounting runs when the response closes (admission's lease and the ledger, the request log).
import type { Request, Response } from "express";
import type { Admission } from "../../admission/types";
import { admitChat, rateLimited, resolveChatTenant, tallyAnswer, type ChatAccounting } from "../../admission/chat-admission";
import { estimateChatTokens, estimatePromptTokens } from "../../core/estimate-tokens";
import { badRequest } from "../../core/http-error";
import type { ChatRequest } from "../../core/provider-contract";
import { holdHeader } from "../../core/held-headers";
import { contextOf, type RequestContext } from "../../core/request-context";
import type { InFlight } from "../../core/route-plan";
import { overflowToQueue, type OverflowDeps } from "../../jobs/overflow";
import { completeChat } from "../../pipeline/complete-chat";
import { startStream } from "../../pipeline/execute";
import { callFor, prepareChat, type PreparedChat } from "../../pipeline/prepare-chat";
import { relayStream } from "../../pipeline/relay-stream";
import { routingHeaders } from "../../pipeline/routing-headers";
import { sendJson } from "../../pipeline/send-json";
import { upstreamSignal } from "../../pipeline/upstream-signal";
import type { Router } from "../../routing/router";
import type { ResponseCache } from "../../cache/response-cache";
import { lookUpChat, replayHit, storeAnswer, storingEncoder, type ChatCacheLookup } from "./chat-cache";
import { chatStreamEncoder } from "./chat-stream-encoder";

export interface ChatDeps {
  router: Router;
  requestTimeoutMs: number;
  admission?: Admission;
  /** Resolves `tenant_id` and records usage in the ledger when a request ends. */
  accounting?: ChatAccounting;
  /** Present when the overflow queue is enabled. */
  overflow?: OverflowDeps;
  /** Answers go through res.json, which the spec's response validator hooks (tests); else one writeHead. */
  validateResponses?: boolean;
  /** The response cache (off per tenant unless its config or the request turns it on). */
  cache?: ResponseCache;
}

export async function handleChat(deps: ChatDeps, req: Request, res: Response, forceStream: boolean): Promise<void> {
  const body = req.body as ChatRequest & Record<string, unknown>;
  const ctx = contextOf(res);
  if (typeof body.request_id === "string" && body.request_id) {
    // It is echoed in the x-request-id header, where only printable ASCII can travel.
    if (!/^[\x20-\x7E]+$/.test(body.request_id)) throw badRequest("request_id must be printable ASCII: it is echoed in the x-request-id header", "request_id");
    // The caller's own correlation id wins over the header and the generated one.
    ctx.requestId = body.request_id;
    holdHeader(res, "x-request-id", body.request_id, ctx);
  }
  resolveChatTenant(deps.accounting, res, body);
  const prepared = prepareChat(deps.router, body, ctx.tenant!, ctx.requestId, forceStream);
  ctx.routingPolicy = prepared.plan.policy;
  // Errors after routing (no_route excepted) say under which policy they happened, too.
  holdHeader(res, "x-runestone-routing-policy", prepared.plan.policy, ctx);
  ctx.stream = prepared.stream;
  const cached = await lookUpChat(deps.cache, req, res, prepared);
  if (deps.admission) {
    // A hit still takes a request slot, with no tokens: it reaches no provider.
    const promptTokens = cached.hit ? 0 : estimatePromptTokens(prepared.body);
    const estimate = { tokens: cached.hit ? 0 : estimateChatTokens(prepared, promptTokens), promptTokens, candidates: prepared.plan.candidates };
    const decision = await admitChat(deps.admission, deps.accounting, res, prepared.tenant, estimate);
    if (!decision.admitted) {
      if (await overflowToQueue(deps.overflow, req, res, prepared, decision)) return;
      throw rateLimited(decision);
    }
  }
  if (cached.hit) return replayHit(res, prepared, cached.hit, deps.accounting?.ledger, deps.validateResponses === true);
  const { signal, inFlight } = upstreamSignal(res, deps.requestTimeoutMs, ctx);
  if (!prepared.stream) {
    const { completion, attempt, text } = await completeChat(prepared, signal, inFlight);
    ctx.attempt = attempt;
    ctx.usage = completion.usage;
    if (!completion.usage) tallyAnswer(ctx, completion as Parameters<typeof tallyAnswer>[1]);
    ctx.response = { id: completion.id, model: completion.model, finishReasons: finishReasonsOf(completion.choices) };
    storeAnswer(deps.cache, cached.ticket, res, completion);
    sendJson(res, 200, completion, routingHeaders(res, attempt, prepared.plan.policy, ctx, true), deps.validateResponses === true, text);
    return;
  }
  await streamChat(res, ctx, prepared, signal, inFlight, deps.cache, cached);
}

async function streamChat(res: Response, ctx: RequestContext, p: PreparedChat, signal: AbortSignal, inFlight: InFlight, cache: ResponseCache | undefined, cached: ChatCacheLookup): Promise<void> {
  // Failures before the first chunk propagate (after any fallback): the client gets a JSON error.
  const started = await startStream(p.plan, (c) => callFor(p, c), signal, inFlight);
  ctx.attempt = started.attempt;
  const encoder = chatStreamEncoder(res, ctx, p, started.attempt.candidate.provider.id, routingHeaders(res, started.attempt, p.plan.policy, ctx, true));
  await relayStream(ctx, started, storingEncoder(cache, cached.ticket, res, encoder));
}

/** The choices' finish reasons, those set (a loop: flatMap makes an array per choice). */
function finishReasonsOf(choices: ReadonlyArray<{ finish_reason?: string | null }>): string[] {
  const out: string[] = [];
  for (const c of choices) if (c.finish_reason != null) out.push(c.finish_reason);
  return out;
}
