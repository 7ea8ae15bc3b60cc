// What happened to one request, read from its RequestContext once its response is over: the value that the
// request log line, the metrics and the server span are all made from. Counts and ids only: never
// prompt text, completions or keys.
import type { Request, Response } from "express";
import { toHttpError } from "../core/to-http-error";
import { contextOf } from "../core/request-context";
import { candidatePricing } from "./attempt-cost";
import { costUsd } from "./usage-cost";
import { usageSeen } from "./usage-seen";
import type { RequestFinishedEvent } from "../core/gateway-events";
import type { MetricLabels } from "./metric-labels";

/** The status reported for a client that went away before any response was sent (as nginx does). */
export const CLIENT_CLOSED_STATUS = 499;

export function describeRequest(req: Request, res: Response, labels: MetricLabels): RequestFinishedEvent {
  const l = contextOf(res);
  const durationMs = performance.now() - l.startedAt;
  const attempt = l.attempt;
  const seen = usageSeen(res);
  const finished = res.writableFinished;
  const e: RequestFinishedEvent = {
    requestId: l.requestId,
    route: labels.route(req.path),
    method: req.method,
    status: !res.headersSent && !finished ? CLIENT_CLOSED_STATUS : res.statusCode,
    tenant: l.tenant?.id,
    // A cache hit names who produced the replayed answer.
    provider: (attempt?.candidate ?? seen?.candidate)?.provider.id ?? l.cache?.provider,
    model: (attempt?.candidate ?? seen?.candidate)?.model.id ?? l.cache?.model ?? requestedModel(req),
    routingPolicy: l.routingPolicy,
    stream: l.stream,
    durationMs,
    clientClosed: !finished || undefined,
  };
  if (attempt) {
    e.upstreamMs = attempt.upstreamMs + l.streamUpstreamMs;
    e.overheadMs = Math.max(0, durationMs - e.upstreamMs);
    e.fallbacks = attempt.fallbacks;
    e.retries = attempt.retries;
  }
  if (l.ttftMs !== undefined) e.ttftMs = l.ttftMs;
  if (l.cache) {
    e.cache = l.cache.status;
    if (typeof l.cache.savedUsd === "number") e.cacheSavedUsd = l.cache.savedUsd;
  }
  if (seen) {
    const { counts } = seen;
    e.promptTokens = counts.promptTokens;
    e.completionTokens = counts.completionTokens;
    if (counts.cachedTokens) e.cachedTokens = counts.cachedTokens;
    if (seen.estimated) e.tokensEstimated = true;
    const pricing = candidatePricing(seen.candidate);
    if (pricing) e.costUsd = costUsd(pricing, counts);
  }
  const errorCode = l.errorCode ?? (l.streamError !== undefined ? (toHttpError(l.streamError).code ?? undefined) : undefined);
  if (errorCode) e.errorCode = errorCode;
  return e;
}

/** The model the client asked for (a short string; the metrics map unknown names to "other"). */
function requestedModel(req: Request): string | undefined {
  const m = (req.body as { model?: unknown } | undefined)?.model;
  return typeof m === "string" && m ? m.slice(0, 128) : undefined;
}
