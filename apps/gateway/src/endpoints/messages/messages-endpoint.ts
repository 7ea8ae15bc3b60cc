// POST /v1/messages: Anthropic's Messages API for every model of the catalog (JSON or SSE), along the
// request's way: decode (messages/prepare-messages.ts: passthrough or chat translation per candidate) ->
// admit (tenant and key limits; no overflow queue: a queued job answers a chat.completion, which an
// Anthropic client cannot read) -> execute over the candidates -> respond (JSON, or the stream through
// relay-stream.ts). Errors on this route leave in Anthropic's shape (http/error-handler.ts).
import type { Request, Response } from "express";
import { admitRequest } from "../../admission/admit-request";
import { contextOf, type RequestContext } from "../../core/request-context";
import type { InFlight } from "../../core/route-plan";
import type { MessageResponse, MessagesRequest } from "./messages-types";
import { messageRunner, messageStreamRunner, prepareMessages, type PreparedMessages } from "./prepare-messages";
import { relayStream } from "../../pipeline/relay-stream";
import { routingHeaders } from "../../pipeline/routing-headers";
import { sendJson } from "../../pipeline/send-json";
import { completeOnCandidates, streamOnCandidates } from "../../pipeline/run-on-candidates";
import type { ModelEndpointDeps } from "../../pipeline/endpoint-deps";
import { upstreamSignal } from "../../pipeline/upstream-signal";
import { readAnthropicUsage } from "../../providers/anthropic/map-anthropic-usage";
import { messagesStreamEncoder } from "./messages-stream-encoder";

export type MessagesDeps = ModelEndpointDeps;

export async function handleMessages(deps: MessagesDeps, req: Request, res: Response): Promise<void> {
  const body = req.body as MessagesRequest & Record<string, unknown>;
  const ctx = contextOf(res);
  const prepared = prepareMessages(deps.router, body, ctx.tenant!, ctx.requestId, req.headers);
  ctx.routingPolicy = prepared.plan.policy;
  ctx.stream = prepared.stream;
  await admitRequest(res, deps, prepared.tenant, { tokens: prepared.promptTokens + body.max_tokens, promptTokens: prepared.promptTokens, candidates: prepared.plan.candidates });
  const { signal, inFlight } = upstreamSignal(res, deps.requestTimeoutMs);
  if (!prepared.stream) {
    const { result, attempt } = await completeOnCandidates(prepared.plan, messageRunner(prepared), signal, inFlight);
    ctx.attempt = attempt;
    ctx.usage = readAnthropicUsage((result as Partial<MessageResponse>).usage);
    ctx.response = { id: result.id, model: result.model, finishReasons: [result.stop_reason ?? null] };
    sendJson(res, 200, result, routingHeaders(res, attempt, prepared.plan.policy), deps.validateResponses === true);
    return;
  }
  await streamMessages(res, ctx, prepared, signal, inFlight);
}

async function streamMessages(res: Response, ctx: RequestContext, p: PreparedMessages, signal: AbortSignal, inFlight: InFlight): Promise<void> {
  // Failures before the first event propagate (after any fallback): the client gets a JSON error.
  const started = await streamOnCandidates(p.plan, messageStreamRunner(p), signal, inFlight);
  ctx.attempt = started.attempt;
  await relayStream(ctx, started, messagesStreamEncoder(res, ctx, routingHeaders(res, started.attempt, p.plan.policy)));
}
