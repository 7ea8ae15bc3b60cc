// The chat endpoint's use of the response cache (cache/response-cache.ts): look the request up once it is
// routed (the key names the deployment that would answer), replay a hit as JSON or as a stream, and store a fresh answer
// once it is complete. A hit takes a request slot (it counts against requests per minute and concurrency)
// with no tokens, and is accounted as no usage: usage-seen.ts reads `ctx.cache`.
import type { Request, Response } from "express";
import type { CacheTicket, CachedAnswer, ResponseCache } from "../../cache/response-cache";
import { markCostFree } from "../../admission/budget-spend";
import { completionToChunks } from "../../cache/completion-to-chunks";
import { StreamAssembler } from "../../cache/assemble-stream";
import type { ChatCompletion, ChunkEvent } from "../../core/provider-contract";
import { onClose } from "../../core/on-close";
import { holdHeader } from "../../core/held-headers";
import { contextOf } from "../../core/request-context";
import type { PreparedChat } from "../../pipeline/prepare-chat";
import { relayStream, type StreamEncoder } from "../../pipeline/relay-stream";
import { sendJson } from "../../pipeline/send-json";
import { candidatePricing } from "../../telemetry/attempt-cost";
import { costUsd } from "../../telemetry/usage-cost";
import type { UsageLedger } from "../../telemetry/usage-ledger";
import { usageSeen } from "../../telemetry/usage-seen";
import { chatStreamEncoder } from "./chat-stream-encoder";

export const CACHE_HEADER = "x-runestone-cache";

export interface ChatCacheLookup {
  /** Present when the cache takes part (look up, store, or both). */
  ticket?: CacheTicket;
  hit?: CachedAnswer;
}

/** Looks a routed request up and says so in `x-runestone-cache` (also on errors that follow). */
export async function lookUpChat(cache: ResponseCache | undefined, req: Request, res: Response, p: PreparedChat): Promise<ChatCacheLookup> {
  const ctx = contextOf(res);
  // Keyed on the deployment the request would call first (its provider and upstream model): routing (and the
  // tenant's allowed_models) already chose it, so a hit is an answer this tenant may get from that deployment.
  const first = p.plan.candidates[0];
  const ticket = first && cache?.ticket(p.tenant.id, { cache: req.get(CACHE_HEADER), cacheControl: req.get("cache-control") }, p.body, first);
  if (!ticket) {
    ctx.cache = { status: "bypass" };
    holdHeader(res, CACHE_HEADER, "bypass", ctx);
    return {};
  }
  const found = await cache!.lookup(ticket);
  // A found answer is a hit once it is replayed (replayHit); until then (a 429, a 202) the cache answered nothing.
  const status = found.status === "hit" ? "bypass" : found.status;
  ctx.cache = { status };
  holdHeader(res, CACHE_HEADER, status, ctx);
  return found.status === "hit" ? { ticket, hit: found.answer } : { ticket };
}

/**
 * Answers with a cached answer: the same JSON, or the same answer as a stream of chunks. The usage ledger
 * records the hit with what it saved, and no tokens.
 */
export async function replayHit(res: Response, p: PreparedChat, hit: CachedAnswer, ledger: UsageLedger | undefined, validateResponses: boolean): Promise<void> {
  const ctx = contextOf(res);
  ctx.cache = { status: "hit", provider: hit.provider, model: hit.model, savedUsd: hit.costUsd };
  holdHeader(res, CACHE_HEADER, "hit", ctx);
  // Its budget reservation (none was estimated) settles at $0 (usage-seen.ts sees no usage for a hit either).
  markCostFree(res);
  const label = ctx.usageLabel ?? "";
  if (ledger) onClose(res, () => ledger.recordCacheHit({ tenant: p.tenant.id, label, model: hit.model, savedUsd: hit.costUsd }), "usage-ledger");
  const c = hit.completion;
  ctx.response = { id: c.id, model: c.model, finishReasons: c.choices.flatMap((ch) => ch.finish_reason ?? []) };
  const headers = hitHeaders(res, hit, p);
  if (!p.stream) {
    sendJson(res, 200, { ...c, provider: hit.provider, routing_policy: p.plan.policy, request_id: p.requestId }, headers, validateResponses);
    return;
  }
  const events: ChunkEvent[] = completionToChunks(c).map((chunk) => ({ chunk }));
  const rest = events.slice(1)[Symbol.iterator]();
  await relayStream(ctx, { first: events[0], rest: { next: async () => rest.next() } }, chatStreamEncoder(res, ctx, p, hit.provider, headers));
}

/** The routing headers of a hit: who produced the answer, no fallback, no cost, and the whole time as the gateway's own. */
function hitHeaders(res: Response, hit: CachedAnswer, p: PreparedChat): Record<string, string> {
  const ctx = contextOf(res);
  return {
    "x-request-id": ctx.requestId,
    "x-runestone-provider": hit.provider,
    "x-runestone-model": hit.model,
    "x-runestone-routing-policy": p.plan.policy,
    "x-runestone-fallbacks": "0",
    "x-runestone-overhead-ms": (performance.now() - ctx.startedAt).toFixed(3),
    "x-runestone-cost": "0",
    [CACHE_HEADER]: "hit",
  };
}

/** Stores a JSON answer that just succeeded, with who made it and what it cost. */
export function storeAnswer(cache: ResponseCache | undefined, ticket: CacheTicket | undefined, res: Response, completion: ChatCompletion): void {
  if (!cache || !ticket?.ttlSeconds) return;
  const ctx = contextOf(res);
  const attempt = ctx.attempt;
  if (!attempt) return;
  const seen = usageSeen(res);
  const pricing = candidatePricing(attempt.candidate);
  const cost = pricing && seen ? costUsd(pricing, seen.counts) : null;
  cache.save(ticket, attempt.candidate, { completion, provider: attempt.candidate.provider.id, model: attempt.candidate.model.id, costUsd: cost });
}

/**
 * Wraps a stream's encoder so that a stream which ends successfully, with every choice finished and the
 * client still there, is stored once as its whole chat.completion. A failed, cut or abandoned stream is not.
 */
export function storingEncoder(cache: ResponseCache | undefined, ticket: CacheTicket | undefined, res: Response, inner: StreamEncoder<ChunkEvent>): StreamEncoder<ChunkEvent> {
  if (!cache || !ticket?.ttlSeconds) return inner;
  const assembler = new StreamAssembler();
  return {
    emit(ev, isFirst) {
      assembler.add(ev.chunk);
      return inner.emit(ev, isFirst);
    },
    get closed() {
      return inner.closed;
    },
    end() {
      const gone = inner.closed;
      inner.end();
      if (gone) return;
      const completion = assembler.complete();
      if (completion) storeAnswer(cache, ticket, res, completion);
    },
    fail: (err) => inner.fail(err),
  };
}
