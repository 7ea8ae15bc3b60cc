// What happened to one request, read from its RequestContext once its response is over: the value that the
// request log line, the metrics and the server span are all made from. Counts and ids only: never
// prompt text, completions or keys.
import type { Request, Response } from "express";
import { toHttpError } from "../core/to-http-error";
import { contextOf, type RequestContext } from "../core/request-context";
import { candidatePricing } from "./attempt-cost";
import { costUsd } from "./usage-cost";
import { usageSeen } from "./usage-seen";
import type { RequestFinishedEvent } from "../core/gateway-events";
import type { MetricLabels } from "./metric-labels";

/** The status reported for a client that went away before any response was sent (as nginx does). */
export const CLIENT_CLOSED_STATUS = 499;

/** `l` is the response's context (contextOf(res)), when the caller has it at hand. */
export function describeRequest(req: Request, res: Response, labels: MetricLabels, l: RequestContext = contextOf(res)): RequestFinishedEvent {
  const durationMs = performance.now() - l.startedAt;
  const attempt = l.attempt;
  const seen = usageSeen(res, l);
  const finished = res.writableFinished;
  const cache = l.cache;
  // A cache hit names who produced the replayed answer; a failure after a provider was called, the last one tried.
  const tried = attempt ?? l.failedAttempt;
  const served = attempt?.candidate ?? seen?.candidate ?? l.failedAttempt?.candidate;
  // A stream whose client hung up mid-wait: that wait so far is the upstream's too.
  const waiting = l.streamWaitSince === undefined ? 0 : performance.now() - l.streamWaitSince;
  const upstreamMs = attempt ? attempt.upstreamMs + l.streamUpstreamMs + waiting : undefined;
  const counts = seen?.counts;
  const pricing = seen ? candidatePricing(seen.candidate) : undefined;
  const errorCode = l.errorCode ?? (l.streamError !== undefined ? (toHttpError(l.streamError).code ?? undefined) : undefined);
  // One literal with every field, undefined where the request has none: one allocation of one shape, where
  // adding the optional fields one by one moved the object through a hidden class per field and onto a
  // growing out-of-object property store. Every reader tests the fields against undefined (or for a truthy
  // value), so a field set to undefined reads as a field left out; the log line writes neither.
  return {
    requestId: l.requestId,
    route: labels.route(req.path),
    method: req.method,
    status: !res.headersSent && !finished ? CLIENT_CLOSED_STATUS : res.statusCode,
    tenant: l.tenant?.id,
    provider: served?.provider.id ?? cache?.provider,
    model: served?.model.id ?? cache?.model ?? requestedModel(req),
    routingPolicy: l.routingPolicy,
    stream: l.stream,
    durationMs,
    upstreamMs,
    overheadMs: upstreamMs === undefined ? undefined : Math.max(0, durationMs - upstreamMs),
    ttftMs: l.ttftMs,
    promptTokens: counts?.promptTokens,
    completionTokens: counts?.completionTokens,
    cachedTokens: counts?.cachedTokens || undefined,
    tokensEstimated: seen?.estimated ? true : undefined,
    costUsd: pricing && counts ? costUsd(pricing, counts) : undefined,
    fallbacks: tried?.fallbacks,
    retries: tried?.retries,
    errorCode: errorCode || undefined,
    clientClosed: !finished || undefined,
    cache: cache?.status,
    cacheSavedUsd: typeof cache?.savedUsd === "number" ? cache.savedUsd : undefined,
  };
}

/** The model the client asked for (a short string; the metrics map unknown names to "other"). */
function requestedModel(req: Request): string | undefined {
  const m = (req.body as { model?: unknown } | undefined)?.model;
  return typeof m === "string" && m ? m.slice(0, 128) : undefined;
}
