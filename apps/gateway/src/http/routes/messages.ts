// POST /v1/messages: Anthropic's Messages API for every model of the catalog (JSON or SSE). Errors on this
// route leave in Anthropic's shape (see error-handler.ts and messages/to-anthropic-error.ts).
import { Router as ExpressRouter, type Request, type Response } from "express";
import type { Admission } from "../../admission/types";
import { estimateMessageTokens } from "../../core/estimate-tokens";
import { MessageSseWriter } from "../../messages/message-sse-writer";
import type { MessageResponse, MessagesRequest } from "../../messages/messages-types";
import { messageRunner, messageStreamRunner, prepareMessages, type PreparedMessages } from "../../messages/prepare-messages";
import { completeOnCandidates, streamOnCandidates } from "../../messages/run-on-candidates";
import { toAnthropicErrorBody } from "../../messages/to-anthropic-error";
import { readAnthropicUsage } from "../../providers/anthropic/map-anthropic-usage";
import type { SseEvent } from "../../core/provider-contract";
import { UpstreamError } from "../../core/upstream-error";
import type { Router } from "../../routing/router";
import { toHttpError } from "../../core/to-http-error";
import { routingHeaders } from "../routing-headers";
import { contextOf } from "../../core/request-context";
import { upstreamSignal } from "../upstream-signal";
import { relayStream } from "../../pipeline/relay-stream";
import type { InFlight } from "../../core/route-plan";
import type { UsageLedger } from "../../telemetry/usage-ledger";
import { admitRequest } from "../../admission/admit-request";

export interface MessagesDeps {
  router: Router;
  requestTimeoutMs: number;
  admission?: Admission;
  ledger?: UsageLedger;
}

export function messagesRoutes(deps: MessagesDeps): ExpressRouter {
  const r = ExpressRouter();
  r.post("/v1/messages", (req, res) => handleMessages(deps, req, res));
  return r;
}

async function handleMessages(deps: MessagesDeps, req: Request, res: Response): Promise<void> {
  const body = req.body as MessagesRequest & Record<string, unknown>;
  const ctx = contextOf(res);
  const prepared = prepareMessages(deps.router, body, ctx.tenant!, ctx.requestId, req.headers);
  ctx.routingPolicy = prepared.plan.policy;
  ctx.stream = prepared.stream;
  // No overflow queue here: a queued job answers a chat.completion, which an Anthropic client cannot read.
  const tokens = estimateMessageTokens(body);
  await admitRequest(res, deps, prepared.tenant, { tokens, promptTokens: tokens - body.max_tokens });
  const { signal, inFlight } = upstreamSignal(res, deps.requestTimeoutMs);
  if (!prepared.stream) {
    const { result, attempt } = await completeOnCandidates(prepared.plan, messageRunner(prepared), signal, inFlight);
    ctx.attempt = attempt;
    ctx.usage = readAnthropicUsage((result as Partial<MessageResponse>).usage);
    ctx.response = { id: result.id, model: result.model, finishReasons: [result.stop_reason ?? null] };
    res.set(routingHeaders(res, attempt, prepared.plan.policy));
    res.json(result);
    return;
  }
  await streamMessages(res, prepared, signal, inFlight);
}

async function streamMessages(res: Response, p: PreparedMessages, signal: AbortSignal, inFlight: InFlight): Promise<void> {
  // Failures before the first event propagate (after any fallback): the client gets a JSON error.
  const started = await streamOnCandidates(p.plan, messageStreamRunner(p), signal, inFlight);
  const ctx = contextOf(res);
  ctx.attempt = started.attempt;
  const sse = new MessageSseWriter(res);
  sse.open(routingHeaders(res, started.attempt, p.plan.policy));
  const account = usageTracker(res);
  await relayStream(ctx, started, {
    emit: async (ev, isFirst) => {
      if (isFirst) ctx.ttftMs = performance.now() - ctx.startedAt;
      account(ev);
      await sse.write(ev);
    },
    get closed() {
      return sse.closed;
    },
    end: () => sse.end(),
    fail: (err) => sse.fail(toAnthropicErrorBody(toHttpError(err))),
  });
}

/**
 * Usage for accounting, read from the two events that carry it: message_start (input tokens; a
 * translated stream's is a placeholder) and message_delta (the final counts). Until message_delta the
 * usage is partial, and the text streamed so far is tallied for an estimate should the stream end
 * early (usage-seen.ts). An upstream `error` event (passed through as sent) marks the stream failed.
 */
function usageTracker(res: Response): (ev: SseEvent) => void {
  let usage: Record<string, unknown> = {};
  const ctx = contextOf(res);
  return (ev) => {
    if (ev.event === "error") {
      ctx.streamError = new UpstreamError({ kind: "http", status: 500, message: "upstream error event" });
      return;
    }
    if (ev.event === "content_block_delta") {
      ctx.streamedChars += deltaChars(ev.data);
      return;
    }
    if (ev.event !== "message_start" && ev.event !== "message_delta") return;
    try {
      const data = JSON.parse(ev.data) as { message?: { usage?: unknown }; usage?: unknown };
      const update = data.message?.usage ?? data.usage;
      // Every value is kept, so that a count that is not one (a string, Infinity) voids the report below.
      if (typeof update === "object" && update !== null) usage = { ...usage, ...update };
      ctx.usage = readAnthropicUsage(usage);
      ctx.usagePartial = ev.event === "message_start";
    } catch {
      // A malformed event is the client's to see; accounting keeps what it had.
    }
  };
}

/** Characters of text, thinking or tool input in one content_block_delta event. */
function deltaChars(data: string): number {
  try {
    const d = (JSON.parse(data) as { delta?: { text?: string; thinking?: string; partial_json?: string } }).delta;
    return (d?.text?.length ?? 0) + (d?.thinking?.length ?? 0) + (d?.partial_json?.length ?? 0);
  } catch {
    return 0;
  }
}
