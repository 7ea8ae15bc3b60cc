// Optional OpenTelemetry traces, following the GenAI semantic conventions: one server span per
// request and one client span per upstream attempt (`chat <model>`), exported over OTLP/HTTP (JSON).
// Loaded only when an endpoint is configured (see load-tracing.ts): off, this module and the
// OpenTelemetry SDK are never even imported. The tracer is private to the gateway: no global provider
// or context manager is registered, so embedding applications keep their own.
import { AsyncLocalStorage } from "node:async_hooks";
import type { RequestHandler, Response } from "express";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import type { RunestoneConfig } from "../config/schema";
import type { GatewayEvents, RequestFinishedEvent, UpstreamAttemptEvent } from "../core/gateway-events";
import { contextOf, type RequestContext, type ResponseFacts } from "../core/request-context";


interface RequestTrace {
  span: Span;
  ctx: Context;
  /** gen_ai.request.* from the client's body, repeated on each attempt's span. */
  requestAttributes: Attributes;
  stream: boolean;
  /** gen_ai.operation.name: `embeddings` on /v1/embeddings, else `chat`. */
  operation: string;
  /** The response is over (work it started later, e.g. a queued job, still links to its span). */
  done?: boolean;
  /** The attempt that answered, kept open until the response is over to carry usage and finish reasons. */
  answered?: { span: Span; endAt?: number };
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TracingOptions {
  config: RunestoneConfig;
  env?: NodeJS.ProcessEnv;
  version: string;
}

export class Tracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly als = new AsyncLocalStorage<RequestTrace>();
  /** Each request's spans, from the middleware to requestFinished: the tracer's own, not a stage's. */
  private readonly traces = new WeakMap<RequestContext, RequestTrace>();
  /** gen_ai.provider.name: the well-known name of the API a provider speaks, else its configured id. */
  private readonly providerNames = new Map<string, string>();
  readonly events: GatewayEvents;

  constructor(opts: TracingOptions, url: string) {
    const cfg = opts.config.tracing;
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": cfg.service_name, "service.version": opts.version }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(cfg.sample_ratio) }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url, headers: cfg.headers }))],
    });
    this.tracer = this.provider.getTracer("runestone", opts.version);
    for (const [id, p] of Object.entries(opts.config.providers)) {
      this.providerNames.set(id, p.type === "openai" || p.type === "anthropic" ? p.type : id);
    }
    this.events = { upstreamAttempt: (e) => this.onUpstreamAttempt(e) };
  }

  /** Starts the request's server span; the rest of the request runs inside its context. */
  readonly middleware: RequestHandler = (req, res, next) => {
    const ctx = contextOf(res);
    const parent = remoteParent(req.headers.traceparent);
    const operation = req.path === "/v1/embeddings" ? "embeddings" : "chat";
    const requestAttrs = requestAttributes(req.body, operation);
    const span = this.tracer.startSpan(
      `${req.method} ${req.path}`,
      {
        kind: SpanKind.SERVER,
        startTime: performance.timeOrigin + ctx.startedAt,
        attributes: { "http.request.method": req.method, ...requestAttrs },
      },
      parent,
    );
    const stream = req.path === "/v1/chat/stream" || (req.body as { stream?: unknown } | undefined)?.stream === true;
    const state: RequestTrace = { span, ctx: trace.setSpan(ROOT_CONTEXT, span), requestAttributes: requestAttrs, stream, operation };
    this.traces.set(ctx, state);
    this.als.run(state, next);
  };

  /** Ends the request's spans with what the response turned out to be (called once the response is over). */
  requestFinished(e: RequestFinishedEvent, res: Response): void {
    const ctx = contextOf(res);
    const state = this.traces.get(ctx);
    if (!state) return;
    state.done = true;
    const facts = ctx.response;
    const attrs: Attributes = {
      "http.route": e.route,
      "http.response.status_code": e.status,
      "runestone.request_id": e.requestId,
      "runestone.stream": e.stream,
    };
    if (e.tenant) attrs["runestone.tenant"] = e.tenant;
    if (e.fallbacks !== undefined) attrs["runestone.fallbacks"] = e.fallbacks;
    if (e.provider) attrs["gen_ai.provider.name"] = this.providerName(e.provider);
    if (e.overheadMs !== undefined) attrs["runestone.overhead_ms"] = e.overheadMs;
    if (e.ttftMs !== undefined) attrs["runestone.ttft_ms"] = e.ttftMs;
    if (e.costUsd !== undefined) attrs["runestone.cost_usd"] = e.costUsd;
    const response = responseAttributes(e, facts);
    state.span.setAttributes({ ...attrs, ...response });
    state.span.updateName(`${e.method} ${e.route}`);
    if (e.status >= 500 || e.errorCode) {
      state.span.setAttribute("error.type", e.errorCode ?? String(e.status));
      state.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    if (state.answered) {
      state.answered.span.setAttributes(response);
      if (e.errorCode) state.answered.span.setAttribute("error.type", e.errorCode);
      state.answered.span.end(state.answered.endAt);
    }
    state.span.end();
  }

  /** Flushes buffered spans to the collector and stops. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }

  private onUpstreamAttempt(e: UpstreamAttemptEvent): void {
    const state = this.als.getStore();
    const end = Date.now();
    const attributes: Attributes = {
      ...state?.requestAttributes,
      "gen_ai.operation.name": state?.operation ?? "chat",
      "gen_ai.provider.name": this.providerName(e.provider),
      "gen_ai.request.model": e.upstreamModel,
      "runestone.provider": e.provider,
      "runestone.model": e.model,
    };
    if (e.status !== undefined) attributes["http.response.status_code"] = e.status;
    const span = this.tracer.startSpan(`${state?.operation ?? "chat"} ${e.upstreamModel}`, { kind: SpanKind.CLIENT, startTime: end - e.durationMs, attributes }, state?.ctx ?? ROOT_CONTEXT);
    if (!e.ok) {
      span.setAttribute("error.type", e.status !== undefined ? String(e.status) : (e.errorKind ?? "error"));
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(end);
    } else if (state && !state.answered && !state.done) {
      // A stream's call lasts until its last chunk; a completion's ended when the attempt did.
      state.answered = { span, endAt: state.stream ? undefined : end };
    } else span.end(end);
  }

  private providerName(id: string): string {
    return this.providerNames.get(id) ?? id;
  }
}

/** The request parameters (gen_ai.request.*) of a chat body: numbers and the model name, never content. */
function requestAttributes(body: unknown, operation: string): Attributes {
  const b = body as Record<string, unknown> | undefined;
  if (!b || typeof b !== "object") return {};
  const out: Attributes = {};
  if (typeof b.model === "string") out["gen_ai.request.model"] = b.model.slice(0, 128);
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  if (typeof maxTokens === "number") out["gen_ai.request.max_tokens"] = maxTokens;
  if (typeof b.temperature === "number") out["gen_ai.request.temperature"] = b.temperature;
  if (typeof b.top_p === "number") out["gen_ai.request.top_p"] = b.top_p;
  if (Object.keys(out).length) out["gen_ai.operation.name"] = operation;
  return out;
}

function responseAttributes(e: RequestFinishedEvent, facts: ResponseFacts | undefined): Attributes {
  const out: Attributes = {};
  if (e.promptTokens !== undefined) out["gen_ai.usage.input_tokens"] = e.promptTokens;
  if (e.completionTokens !== undefined) out["gen_ai.usage.output_tokens"] = e.completionTokens;
  if (facts?.id) out["gen_ai.response.id"] = facts.id;
  if (facts?.model) out["gen_ai.response.model"] = facts.model;
  if (facts?.finishReasons?.length) out["gen_ai.response.finish_reasons"] = facts.finishReasons;
  return out;
}

/** A W3C traceparent from the caller continues the caller's trace. */
function remoteParent(header: string | string[] | undefined): Context {
  const m = typeof header === "string" ? TRACEPARENT.exec(header) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) & 1, isRemote: true });
}
