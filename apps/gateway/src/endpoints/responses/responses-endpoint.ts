// POST /v1/responses: OpenAI's Responses API for every model of the catalog (JSON or SSE), along the request's
// way: decode (a stored conversation expanded by expand-conversation.ts; prepare-responses.ts: passthrough or
// chat translation per candidate) -> admit (tenant and key limits; a non-streaming request refused by them may
// overflow to the queue, a 202 whose job runs the same way: responses-job.ts) -> execute over the candidates
// -> respond (JSON, or the stream through relay-stream.ts) -> keep the answer in the tenant's response store
// (unless `store: false`) before the client sees it, so a follow-up naming it always finds it.
import type { Request, Response } from "express";
import { tallyAnswer, type Refusal } from "../../admission/chat-admission";
import { admitRequest } from "../../admission/admit-request";
import { badRequest } from "../../core/http-error";
import { overflowToQueue, type OverflowDeps } from "../../jobs/overflow";
import { contextOf } from "../../core/request-context";
import type { ResponseStore } from "../../core/response-store";
import type { ModelEndpointDeps } from "../../pipeline/endpoint-deps";
import { relayStream } from "../../pipeline/relay-stream";
import { routingHeaders } from "../../pipeline/routing-headers";
import { completeOnCandidates, streamOnCandidates } from "../../pipeline/run-on-candidates";
import { sendJson } from "../../pipeline/send-json";
import { upstreamSignal } from "../../pipeline/upstream-signal";
import { estimateResponsePromptTokens } from "./estimate-response-tokens";
import { expandConversation } from "./expand-conversation";
import { fromResponseUsage } from "./map-usage";
import { isPassthrough, prepareResponses, responsesRunner, responsesStreamRunner } from "./prepare-responses";
import { refuseUnsupported } from "./refuse-unsupported";
import { randomId, type NewId } from "./response-ids";
import { responsesStreamEncoder } from "./responses-stream-encoder";
import type { ResponseObject, ResponsesBody } from "./responses-types";
import { refuseInputTooLargeToStore, STORE_SKIPPED_TOO_LARGE, storeResponseTurn } from "./store-response-turn";

export interface ResponsesDeps extends ModelEndpointDeps {
  /** The tenants' stored responses: `store` and `previous_response_id`. Without it nothing is kept, and every previous_response_id is a 404. */
  responseStore?: ResponseStore;
  /** A response that could not be stored (the client still gets it). */
  onStoreError?(err: unknown): void;
  /** Answers go through res.json, which the spec's response validator hooks (tests); else one writeHead. */
  validateResponses?: boolean;
  /** Ids of the responses the gateway builds (tests make them predictable). */
  newId?: NewId;
  /** Present when the overflow queue is enabled. */
  overflow?: OverflowDeps;
}

export async function handleResponses(deps: ResponsesDeps, req: Request, res: Response): Promise<void> {
  const clientBody = req.body as ResponsesBody;
  const ctx = contextOf(res);
  if (typeof clientBody.request_id === "string" && clientBody.request_id) {
    // It is echoed in the x-request-id header, where only printable ASCII can travel.
    if (!/^[\x20-\x7E]+$/.test(clientBody.request_id)) throw badRequest("request_id must be printable ASCII: it is echoed in the x-request-id header", "request_id");
    ctx.requestId = clientBody.request_id;
    res.setHeader("x-request-id", clientBody.request_id);
  }
  const tenant = ctx.tenant!;
  refuseUnsupported(clientBody);
  const store = clientBody.store !== false ? deps.responseStore : undefined;
  const conversation = await expandConversation(clientBody, tenant.id, deps.responseStore);
  refuseInputTooLargeToStore(conversation, store);
  const promptTokens = estimateResponsePromptTokens(conversation.body);
  const p = prepareResponses(deps.router, conversation.body, clientBody, tenant, ctx.requestId, deps.newId ?? randomId, promptTokens);
  ctx.routingPolicy = p.plan.policy;
  ctx.stream = p.stream;
  const cap = clientBody.max_output_tokens ?? p.plan.candidates[0]?.model.maxOutputTokens ?? 0;
  // A stream is never queued: its job could only give back the whole response, which a stream's client cannot read.
  const queue = deps.overflow && !p.stream ? (refusal: Refusal) => overflowToQueue(deps.overflow, req, res, { kind: "response", tenant, requestId: ctx.requestId, stream: false, body: clientBody }, refusal) : undefined;
  if (!(await admitRequest(res, deps, tenant, { tokens: promptTokens + cap, promptTokens, candidates: p.plan.candidates }, queue))) return;

  /** False when the turn was too large to keep (the response then says `store: false`). */
  const keep = async (response: ResponseObject, passthrough: boolean) => !store || storeResponseTurn(store, tenant.id, response, conversation, deps.onStoreError, passthrough);

  const { signal, inFlight } = upstreamSignal(res, deps.requestTimeoutMs);
  if (!p.stream) {
    const { result, attempt } = await completeOnCandidates(p.plan, responsesRunner(p), signal, inFlight);
    ctx.attempt = attempt;
    if (result.completion) {
      ctx.usage = result.completion.usage;
      if (!result.completion.usage) tallyAnswer(ctx, result.completion);
    } else {
      ctx.usage = fromResponseUsage(result.response.usage);
    }
    ctx.response = { id: result.response.id, model: result.response.model, finishReasons: [result.response.status] };
    const headers = routingHeaders(res, attempt, p.plan.policy);
    if (!(await keep(result.response, !result.completion))) headers["x-runestone-store"] = STORE_SKIPPED_TOO_LARGE;
    sendJson(res, 200, result.response, headers, deps.validateResponses === true);
    return;
  }
  // Failures before the first event propagate (after any fallback): the client gets a JSON error.
  const started = await streamOnCandidates(p.plan, responsesStreamRunner(p), signal, inFlight);
  ctx.attempt = started.attempt;
  const headers = routingHeaders(res, started.attempt, p.plan.policy);
  const passthrough = isPassthrough(started.attempt.candidate);
  await relayStream(ctx, started, responsesStreamEncoder(res, ctx, headers, { passthrough, onFinal: (response) => keep(response, passthrough) }));
}
