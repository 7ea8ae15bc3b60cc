// Per-request accounting, once the response is over: one JSON log line (who, what, where it went,
// how long, how many tokens, what it cost) and the requestFinished event for metrics and traces.
// Nothing here runs before the response is over (its "close"), and the line is built by hand and handed to the
// log destination at the end of the event-loop turn (telemetry/logger.ts), so logging never delays an answer.
// Never prompt text, completions or keys.
import type { RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { onClose } from "../core/on-close";
import { contextOf } from "../core/request-context";
import { describeRequest } from "./describe-request";
import { lineWriter } from "./logger";
import type { GatewayEvents, RequestFinishedEvent } from "../core/gateway-events";
import type { MetricLabels } from "./metric-labels";

export interface RequestLogDeps {
  logger: Logger;
  /** Counts requests in flight (http/lifecycle.ts), for graceful shutdown. */
  lifecycle: { enter(): void; leave(): void };
  labels: MetricLabels;
  events?: GatewayEvents;
  /** Called when a request starts and when it is over (the active-requests gauge). */
  active?: { requestStarted(): void; requestEnded(): void };
  /** Extra per-request work that needs the response itself (ending the server span). */
  onFinished?: (e: RequestFinishedEvent, res: Response) => void;
}

/** Probes and scrapes arrive every few seconds: logged at debug so they do not drown the traffic. */
const QUIET_ROUTES = new Set(["/health", "/health/live", "/health/ready", "/metrics"]);

export function requestLog(deps: RequestLogDeps): RequestHandler {
  const { logger, lifecycle, labels, events, active, onFinished } = deps;
  const writeLine = lineWriter(logger);
  return (req, res, next) => {
    lifecycle.enter();
    active?.requestStarted();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      lifecycle.leave();
      active?.requestEnded();
      const ctx = contextOf(res);
      const e = describeRequest(req, res, labels, ctx);
      events?.requestFinished?.(e);
      // Admission leaves its refusal in the request's context; a plain 429 is reported here, once the answer is
      // known (queued refusals and a full queue are reported by the overflow path).
      const refusal = ctx.refusal;
      if (refusal && e.tenant && REFUSAL_CODES.has(e.errorCode!)) {
        events?.rateLimited?.({ tenant: e.tenant, limit: refusal.limit, action: "rejected" });
      }
      onFinished?.(e, res);
      const level = QUIET_ROUTES.has(e.route) ? "debug" : "info";
      if (!logger.isLevelEnabled(level)) return;
      if (writeLine) writeLine(level, logProps(e), "request");
      else logger[level](logFields(e), "request");
    };
    // Guarded (onClose): a failure in metrics, traces or the log line must not escape into the process.
    // "close" alone: a response emits it after "finish" (on the next tick) as well as when the client goes
    // away first, so one listener sees every request end. The first of the response's close callbacks
    // (core/on-close.ts), it runs before those the later stages add.
    onClose(res, finish, "request-log");
    next();
  };
}

/** The error codes of an admission refusal answered at once: a limit, a spent or reserved budget, an unpriced model. */
const REFUSAL_CODES = new Set(["rate_limit_exceeded", "budget_exceeded", "budget_reserved", "model_not_priced"]);

const round3 = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms * 1000) / 1000);

/**
 * The log line's fields as JSON members (`,"key":value` each, undefined ones left out), in logFields' order:
 * the same text pino would write for logFields(e). Every string is escaped as JSON.stringify escapes it (a model
 * name or request id comes from the client); numbers are written as pino writes them (non-finite as null).
 */
export function logProps(e: RequestFinishedEvent): string {
  let s = ',"request_id":' + str(e.requestId);
  if (e.tenant !== undefined) s += ',"tenant":' + str(e.tenant);
  s += ',"method":' + str(e.method) + ',"route":' + str(e.route) + ',"status":' + num(e.status);
  if (e.provider !== undefined) s += ',"provider":' + str(e.provider);
  if (e.model !== undefined) s += ',"model":' + str(e.model);
  if (e.routingPolicy !== undefined) s += ',"routing_policy":' + str(e.routingPolicy);
  s += ',"stream":' + (e.stream ? "true" : "false");
  if (e.fallbacks !== undefined) s += ',"fallbacks":' + num(e.fallbacks);
  if (e.retries !== undefined) s += ',"retries":' + num(e.retries);
  s += ',"duration_ms":' + ms3(e.durationMs);
  if (e.upstreamMs !== undefined) s += ',"upstream_ms":' + ms3(e.upstreamMs);
  if (e.overheadMs !== undefined) s += ',"overhead_ms":' + ms3(e.overheadMs);
  if (e.ttftMs !== undefined) s += ',"ttft_ms":' + ms3(e.ttftMs);
  if (e.promptTokens !== undefined) s += ',"prompt_tokens":' + num(e.promptTokens);
  if (e.completionTokens !== undefined) s += ',"completion_tokens":' + num(e.completionTokens);
  if (e.cachedTokens !== undefined) s += ',"cached_tokens":' + num(e.cachedTokens);
  if (e.tokensEstimated !== undefined) s += ',"tokens_estimated":' + (e.tokensEstimated ? "true" : "false");
  if (e.costUsd !== undefined) s += ',"cost_usd":' + num(e.costUsd);
  if (e.errorCode !== undefined) s += ',"error_code":' + str(e.errorCode);
  if (e.clientClosed !== undefined) s += ',"client_closed":' + (e.clientClosed ? "true" : "false");
  if (e.cache !== undefined) s += ',"cache":"' + e.cache + '"';
  if (e.cacheSavedUsd !== undefined) s += ',"cache_saved_usd":' + num(e.cacheSavedUsd);
  return s;
}

const num = (n: number): string => (Number.isFinite(n) ? String(n) : "null");

/**
 * JSON.stringify(s) for a string: printable ASCII without a quote or a backslash (ids, routes, methods, model
 * and provider names) is JSON as it stands, so it is only quoted; anything else goes to JSON.stringify. Its
 * fixed cost per call is most of what it spends on a short string, and a line has seven of them.
 */
function str(s: string): string {
  if (typeof s !== "string") return JSON.stringify(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/** The decimal point and the leading zeros of a fraction, by how many there are. */
const POINT = [".", ".0", ".00"];

/**
 * num(round3(ms)) without formatting a double (the costly part of the line): the whole thousandths as
 * integers. For 0 <= ms < 1e12, String(k / 1000) is exactly this decimal with its trailing zeros dropped.
 */
function ms3(ms: number): string {
  const k = Math.round(ms * 1000);
  if (!(k >= 0 && k < 1e15)) return num(round3(ms)!);
  const whole = Math.floor(k / 1000);
  let frac = k - whole * 1000;
  if (frac === 0) return String(whole);
  let digits = 3;
  while (frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  const f = String(frac);
  return String(whole) + POINT[digits - f.length]! + f;
}

/** The log line's fields (documented in the README, "Observability"). */
export function logFields(e: RequestFinishedEvent): Record<string, unknown> {
  return {
    request_id: e.requestId,
    tenant: e.tenant,
    method: e.method,
    route: e.route,
    status: e.status,
    provider: e.provider,
    model: e.model,
    routing_policy: e.routingPolicy,
    stream: e.stream,
    fallbacks: e.fallbacks,
    retries: e.retries,
    duration_ms: round3(e.durationMs),
    upstream_ms: round3(e.upstreamMs),
    overhead_ms: round3(e.overheadMs),
    ttft_ms: round3(e.ttftMs),
    prompt_tokens: e.promptTokens,
    completion_tokens: e.completionTokens,
    cached_tokens: e.cachedTokens,
    tokens_estimated: e.tokensEstimated,
    cost_usd: e.costUsd,
    error_code: e.errorCode,
    client_closed: e.clientClosed,
    cache: e.cache,
    cache_saved_usd: e.cacheSavedUsd,
  };
}
