// Runs a ProviderAdapter over HTTP: one keep-alive undici pool per provider, timeouts for
// connect, first byte and idle time between body chunks, and SSE decoding for streams.
import { Agent, errors as undiciErrors, util as undiciUtil, type Dispatcher } from "undici";
import type { ProviderConfig } from "../config/schema";
import type { AdapterContext, ChatCall, ChatCompletion, ChunkEvent, EmbeddingCall, EmbeddingResponse, PassthroughCall, Provider, ProviderAdapter, ProviderKind, ResponsesCall, SseEvent, UpstreamHttpRequest } from "../core/provider-contract";
import { decodeSse, SseDecoder } from "./decode-sse";
import { withDeadline, type Deadline } from "../resilience/deadline";
import { deadlineStop } from "./deadline-stop";
import { redactErrorEvent } from "./redact-error-event";
import { redactResponsesErrorEvent, redactResponsesFailedEvent } from "./openai/redact-responses-error-event";
import { readOpenAIResponse, readResponsesTerminalEvent } from "./openai/read-openai-response";
import { UpstreamError } from "../core/upstream-error";
import { embedInBatches } from "./embedding-batches";
import { DEFAULT_UPSTREAM_LIMITS, type UpstreamLimits } from "../config/upstream-limits";
import { readCappedStream, responseTooLarge } from "./upstream-limits";
import { keepTextIfUnchanged } from "./upstream-answer-text";


export class HttpProvider implements Provider {
  readonly kind: ProviderKind;
  readonly configured: boolean;
  readonly notConfiguredReason?: string;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly ctx: AdapterContext;
  private readonly dispatcher: Dispatcher;
  readonly passthrough?: (call: PassthroughCall, signal: AbortSignal) => Promise<unknown>;
  readonly passthroughStream?: (call: PassthroughCall, signal: AbortSignal) => Promise<AsyncIterable<SseEvent>>;
  readonly embed?: (call: EmbeddingCall, signal: AbortSignal) => Promise<EmbeddingResponse>;
  readonly responses?: (call: ResponsesCall, signal: AbortSignal) => Promise<unknown>;
  readonly responsesStream?: (call: ResponsesCall, signal: AbortSignal) => Promise<AsyncIterable<SseEvent>>;

  constructor(
    readonly id: string,
    private readonly config: ProviderConfig,
    private readonly adapter: ProviderAdapter,
    dispatcher?: Dispatcher,
    private readonly limits: UpstreamLimits = DEFAULT_UPSTREAM_LIMITS,
  ) {
    this.kind = adapter.kind;
    const url = new URL(config.base_url ?? "http://127.0.0.1");
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.configured = Boolean(config.api_key);
    if (!this.configured) {
      const envName = id === "openai" ? "OPENAI_API_KEY" : id === "anthropic" ? "ANTHROPIC_API_KEY" : id === "azure" ? "AZURE_OPENAI_API_KEY" : id === "gemini" ? "GEMINI_API_KEY" : `providers.${id}.api_key`;
      this.notConfiguredReason = `provider "${id}" has no API key configured (set ${envName})`;
    }
    this.ctx = {
      apiKey: config.api_key ?? "",
      headers: config.headers,
      quirks: {
        noStreamOptions: config.quirks.no_stream_options,
        developerAsSystem: config.quirks.developer_as_system,
        maxTokensField: config.quirks.max_tokens_field,
      },
    };
    this.dispatcher =
      dispatcher ??
      new Agent({
        connections: config.connections,
        keepAliveTimeout: 30_000,
        connect: { timeout: config.timeouts.connect_ms },
        headersTimeout: config.timeouts.first_byte_ms,
        bodyTimeout: config.timeouts.idle_ms,
      });
    // Optional capabilities exist only when the adapter has them, so callers can test for them.
    const passthrough = adapter.buildPassthroughRequest?.bind(adapter);
    if (passthrough) {
      this.passthrough = (call, signal) => this.sendRaw(passthrough(call, this.ctx), signal);
      this.passthroughStream = (call, signal) => this.streamRaw(passthrough(call, this.ctx), signal, (res, s) => this.iteratePassthrough(res, s));
    }
    const responses = adapter.buildResponsesRequest?.bind(adapter);
    if (responses) {
      this.responses = async (call, signal) => this.readResponse(await this.sendRaw(responses(call, this.ctx), signal));
      this.responsesStream = (call, signal) => this.streamRaw(responses(call, this.ctx), signal, (res, s) => this.iterateResponses(res, s));
    }
    if (adapter.buildEmbeddingRequest && adapter.parseEmbeddingResponse) {
      const max = adapter.maxEmbeddingInputs;
      this.embed = max ? (call, signal) => embedInBatches(call, signal, max, (c, s) => this.sendEmbedding(c, s)) : (call, signal) => this.sendEmbedding(call, signal);
    }
  }

  async complete(call: ChatCall, outer: AbortSignal): Promise<ChatCompletion> {
    const req = this.adapter.buildChatRequest(call, this.ctx);
    const d = this.withTotalTimeout(outer);
    let res: TextAnswer;
    try {
      res = await this.fetchText(req, d);
    } finally {
      d.dispose();
    }
    const text = res.text;
    if (res.statusCode >= 400) throw this.tag(this.adapter.parseError(res.statusCode, res.headers, text, this.id));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw this.tag(new UpstreamError({ kind: "protocol", message: `response body is not JSON (HTTP ${res.statusCode})` }));
    }
    try {
      const completion = this.adapter.parseChatResponse(json, call);
      keepTextIfUnchanged(completion, text);
      return completion;
    } catch (err) {
      if (err instanceof UpstreamError) throw this.tag(err);
      throw this.tag(new UpstreamError({ kind: "protocol", message: "response does not have the expected shape" }));
    }
  }

  async stream(call: ChatCall, outer: AbortSignal): Promise<AsyncIterable<ChunkEvent>> {
    const req = this.adapter.buildChatRequest(call, this.ctx);
    const d = this.withTotalTimeout(outer);
    try {
      const res = await this.send(req, d);
      await this.expectEventStream(res, d);
      return this.iterate(res, call, d);
    } catch (err) {
      d.dispose();
      throw err;
    }
  }

  /**
   * The chat stream: the upstream body read, decoded and transformed in one loop (no generator per layer:
   * each one costs a promise hop per event, on the first chunk's way too). Transport and decoding failures
   * become the provider's UpstreamError; however the stream ends (read to the end, failed, or left early by
   * its consumer) the deadline is disposed, and a body not read to the end is destroyed so its connection
   * is not reused.
   */
  private async *iterate(res: Dispatcher.ResponseData, call: ChatCall, d: Deadline): AsyncGenerator<ChunkEvent> {
    const transformer = this.adapter.createStreamTransformer(call);
    const out: ChunkEvent[] = [];
    let failure: UpstreamError | undefined;
    const sink = {
      // Nothing after a failure is passed on: the client must not see chunks that followed a broken one.
      enqueue: (e: ChunkEvent) => void (failure ? undefined : out.push(e)),
      error: (e: UpstreamError) => {
        failure ??= e;
      },
    };
    const decoder = new SseDecoder({ maxEventBytes: this.limits.maxEventBytes, tooLarge: () => responseTooLarge("stream event", this.limits.maxEventBytes) });
    const body = (res.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    let finished = false;
    try {
      while (!finished) {
        let evs: SseEvent[];
        try {
          const next = await body.next();
          if (next.done) {
            evs = decoder.end();
            finished = true;
          } else evs = decoder.feed(next.value);
        } catch (err) {
          throw this.tag(this.toUpstreamError(err, d));
        }
        for (const ev of evs) {
          try {
            transformer.transform(ev, sink);
          } catch {
            // A transformer that trips over a shape it did not expect: the upstream's protocol error, not ours.
            sink.error(new UpstreamError({ kind: "protocol", message: "stream event does not have the expected shape" }));
          }
          while (out.length) yield out.shift()!;
          if (failure) throw this.tag(failure);
        }
      }
    } finally {
      d.dispose();
      if (!finished) res.body.destroy();
    }
    transformer.flush(sink);
    while (out.length) yield out.shift()!;
    if (failure) throw this.tag(failure);
  }

  /** A native API's JSON answer (Messages or Responses passthrough), parsed but untouched. */
  private async sendRaw(req: UpstreamHttpRequest, outer: AbortSignal): Promise<unknown> {
    const d = this.withTotalTimeout(outer);
    try {
      return await this.readJson(await this.send(req, d), d);
    } finally {
      d.dispose();
    }
  }

  /** A Responses passthrough answer: a response object with usage made of counts (read-openai-response.ts). */
  private readResponse(json: unknown): Record<string, unknown> {
    try {
      return readOpenAIResponse(json);
    } catch (err) {
      throw this.tag(err instanceof UpstreamError ? err : new UpstreamError({ kind: "protocol", message: "response does not have the expected shape" }));
    }
  }

  /** A native API's event stream, once the upstream accepted it, read by the API's own iterator (which knows its last event). */
  private async streamRaw(
    req: UpstreamHttpRequest,
    outer: AbortSignal,
    iterate: (res: Dispatcher.ResponseData, d: Deadline) => AsyncIterable<SseEvent>,
  ): Promise<AsyncIterable<SseEvent>> {
    const d = this.withTotalTimeout(outer);
    try {
      const res = await this.send(req, d);
      await this.expectEventStream(res, d);
      return iterate(res, d);
    } catch (err) {
      d.dispose();
      throw err;
    }
  }

  /**
   * Yields a Responses API stream's events as they are. Its last event is `response.completed`,
   * `response.incomplete`, `response.failed` or `error`: ending without one is a cut stream, reported as an error.
   */
  private async *iterateResponses(res: Dispatcher.ResponseData, d: Deadline): AsyncGenerator<SseEvent> {
    let ended = false;
    for await (const ev of this.events(res, d)) {
      const type = ev.event ?? responsesEventType(ev.data);
      if (type === "error") {
        ended = true;
        yield { ...ev, data: redactResponsesErrorEvent(ev.data) };
      } else if (type === "response.failed") {
        ended = true;
        // Its error is relayed to the client: scrubbed like an `error` event's.
        yield { ...ev, data: redactResponsesFailedEvent(readResponsesTerminalEvent(ev.data)) };
      } else if (type === "response.completed" || type === "response.incomplete") {
        ended = true;
        let data: string;
        try {
          data = readResponsesTerminalEvent(ev.data, type);
        } catch (err) {
          // A final response the gateway could not keep or replay: the upstream's protocol error, not a success.
          throw this.tag(err instanceof UpstreamError ? err : new UpstreamError({ kind: "protocol", message: "stream event does not have the expected shape" }));
        }
        yield { ...ev, data };
      } else yield ev;
    }
    if (!ended) throw this.tag(new UpstreamError({ kind: "protocol", message: "upstream stream ended before response.completed" }));
  }

  /** Throws the upstream's error for an error status, or a protocol error when the answer is not SSE. */
  private async expectEventStream(res: Dispatcher.ResponseData, d: Deadline): Promise<void> {
    if (res.statusCode >= 400) {
      const text = await this.readText(res, d);
      throw this.tag(this.adapter.parseError(res.statusCode, res.headers, text, this.id));
    }
    const type = String(res.headers["content-type"] ?? "");
    if (!type.includes("text/event-stream")) {
      res.body.destroy();
      throw this.tag(new UpstreamError({ kind: "protocol", message: `expected text/event-stream, got "${type.slice(0, 60)}"` }));
    }
  }

  /**
   * Yields the upstream's SSE events as they are. A passthrough stream speaks the Messages API, whose last event
   * is `message_stop` (or an `error` event): ending without either is a cut stream, reported as an error.
   */
  private async *iteratePassthrough(res: Dispatcher.ResponseData, d: Deadline): AsyncGenerator<SseEvent> {
    let ended = false;
    for await (const ev of this.events(res, d)) {
      if (ev.event === "message_stop" || ev.event === "error") ended = true;
      // An error event is relayed, so it is scrubbed like every other upstream error text (its message cut first).
      yield ev.event === "error" ? { ...ev, data: redactErrorEvent(ev.data) } : ev;
    }
    if (!ended) throw this.tag(new UpstreamError({ kind: "protocol", message: "upstream stream ended before message_stop" }));
  }

  /**
   * The upstream body's SSE events. Transport failures become the provider's UpstreamError; however the
   * stream ends (read to the end, failed, or left early by its consumer) the deadline is disposed, and
   * a body not read to the end is destroyed so its connection is not reused.
   */
  private async *events(res: Dispatcher.ResponseData, d: Deadline): AsyncGenerator<SseEvent> {
    let finished = false;
    try {
      yield* decodeSse(res.body, { maxEventBytes: this.limits.maxEventBytes, tooLarge: () => responseTooLarge("stream event", this.limits.maxEventBytes) });
      finished = true;
    } catch (err) {
      throw this.tag(this.toUpstreamError(err, d));
    } finally {
      d.dispose();
      if (!finished) res.body.destroy();
    }
  }

  private async sendEmbedding(call: EmbeddingCall, outer: AbortSignal): Promise<EmbeddingResponse> {
    const d = this.withTotalTimeout(outer);
    let json: unknown;
    try {
      const res = await this.send(this.adapter.buildEmbeddingRequest!(call, this.ctx), d);
      json = await this.readJson(res, d);
    } finally {
      d.dispose();
    }
    try {
      return this.adapter.parseEmbeddingResponse!(json, call);
    } catch (err) {
      if (err instanceof UpstreamError) throw this.tag(err);
      throw this.tag(new UpstreamError({ kind: "protocol", message: "embeddings response does not have the expected shape" }));
    }
  }

  /** Reads a non-streaming answer: the adapter's error for a 4xx/5xx, else the parsed JSON. */
  private async readJson(res: Dispatcher.ResponseData, d: Deadline): Promise<unknown> {
    const text = await this.readText(res, d);
    if (res.statusCode >= 400) throw this.tag(this.adapter.parseError(res.statusCode, res.headers, text, this.id));
    try {
      return JSON.parse(text);
    } catch {
      throw this.tag(new UpstreamError({ kind: "protocol", message: `response body is not JSON (HTTP ${res.statusCode})` }));
    }
  }

  private async send(req: UpstreamHttpRequest, d: Deadline): Promise<Dispatcher.ResponseData> {
    try {
      return await this.dispatcher.request({
        origin: this.origin,
        path: this.basePath + req.path,
        method: "POST",
        headers: req.headers,
        body: req.body,
        signal: d.signal,
      });
    } catch (err) {
      throw this.tag(this.toUpstreamError(err, d));
    }
  }

  /**
   * A whole answer's status, headers and text, read under the response cap straight from undici's handler
   * callbacks: no body stream, async iterator or end-of-stream watcher per call (what `send` + `readText` cost:
   * about 10 µs per JSON answer, bench/README.md "Toward issue 14"). Aborted by `d.signal`; every failure is
   * this provider's UpstreamError, as from `send` and `readText`.
   */
  private fetchText(req: UpstreamHttpRequest, d: Deadline): Promise<TextAnswer> {
    const { signal } = d;
    const cap = this.limits.maxResponseBytes;
    return new Promise<TextAnswer>((resolve, reject) => {
      let abort: ((err: Error) => void) | undefined;
      let settled = false;
      let statusCode = 0;
      let headers: Record<string, string | string[] | undefined> = {};
      const chunks: Buffer[] = [];
      let size = 0;
      const reasonOf = () => (signal.reason instanceof Error ? signal.reason : new Error("request aborted"));
      const onAbort = () => (abort ? abort(reasonOf()) : fail(reasonOf()));
      const settle = () => {
        settled = true;
        d.unwatch();
      };
      const fail = (err: unknown) => {
        if (settled) return;
        settle();
        reject(this.tag(this.toUpstreamError(err, d)));
      };
      if (signal.aborted) return fail(signal.reason);
      // Under the request deadline, called by its controller's abort() rather than as an 'abort' listener.
      d.watch(onAbort);
      const handler: Dispatcher.DispatchHandler = {
        onConnect: (a) => {
          if (settled) a(reasonOf());
          else abort = a;
        },
        onHeaders: (status, raw) => {
          if (status < 200) return true;
          statusCode = status;
          headers = undiciUtil.parseHeaders(raw as Buffer[]) as Record<string, string | string[] | undefined>;
          const declared = Number(headers["content-length"]);
          // Thrown here, undici aborts the request with it (onError).
          if (Number.isFinite(declared) && declared > cap) throw responseTooLarge("answer", cap);
          return true;
        },
        onData: (chunk) => {
          size += chunk.length;
          if (size > cap) throw responseTooLarge("answer", cap);
          chunks.push(chunk);
          return true;
        },
        onComplete: () => {
          if (settled) return;
          settle();
          resolve({ statusCode, headers, text: chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, size).toString("utf8") });
        },
        onError: fail,
      };
      this.dispatcher.dispatch({ origin: this.origin, path: this.basePath + req.path, method: "POST", headers: req.headers, body: req.body }, handler);
    });
  }

  private async readText(res: Dispatcher.ResponseData, d: Deadline): Promise<string> {
    try {
      return await readCappedStream(res.body, this.limits.maxResponseBytes, res.headers["content-length"]);
    } catch (err) {
      throw this.tag(this.toUpstreamError(err, d));
    }
  }

  /** The caller's signal (client gone, request deadline) plus this provider's total timeout. */
  private withTotalTimeout(outer: AbortSignal): Deadline {
    return withDeadline(outer, this.config.timeouts.total_ms, "provider total timeout");
  }

  private toUpstreamError(err: unknown, d: Deadline): UpstreamError {
    if (err instanceof UpstreamError) return err;
    const stopped = deadlineStop(d, this.config.timeouts.total_ms);
    if (stopped) return stopped;
    if (err instanceof undiciErrors.HeadersTimeoutError) return new UpstreamError({ kind: "timeout", message: "no response headers within the first-byte timeout" });
    if (err instanceof undiciErrors.BodyTimeoutError) return new UpstreamError({ kind: "timeout", message: "no data within the idle timeout" });
    if (err instanceof undiciErrors.ConnectTimeoutError) return new UpstreamError({ kind: "timeout", message: "connect timeout" });
    const code = (err as { code?: string })?.code;
    return new UpstreamError({ kind: "connection", message: code ? `connection failed (${code})` : "connection failed" });
  }

  private tag(err: UpstreamError): UpstreamError {
    err.provider ??= this.id;
    return err;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** A whole upstream answer, read (HttpProvider.fetchText). */
interface TextAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A Responses event's `type` from its data, for an upstream that sends no `event:` line (cheap: the type comes first). */
function responsesEventType(data: string): string | undefined {
  const m = /^\{\s*"type"\s*:\s*"([^"]+)"/.exec(data);
  if (m) return m[1];
  try {
    const t = (JSON.parse(data) as { type?: unknown }).type;
    return typeof t === "string" ? t : undefined;
  } catch {
    return undefined;
  }
}
