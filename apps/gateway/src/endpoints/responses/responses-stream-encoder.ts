// The Responses endpoint's stream encoding: the Responses API's named SSE events, passed on as the upstream
// (or the chat translation) produced them. The stream ends after its terminal event (response.completed,
// response.incomplete, response.failed or error). A failure after the stream started is told in-band: a
// translated stream has already ended with the translation's response.failed (the output so far); otherwise an
// OpenAI stream ends with an `error` event as OpenAI sends it, and a translated one with response.failed built
// from response.created. Usage is read from the terminal event, for accounting, and the final response is
// handed to `onFinal` (the response store) before the client sees it.
import type { Response } from "express";
import type { SseEvent } from "../../core/provider-contract";
import type { RequestContext, ResponseFacts } from "../../core/request-context";
import { toHttpError } from "../../core/to-http-error";
import { UpstreamError } from "../../core/upstream-error";
import type { StreamEncoder } from "../../pipeline/relay-stream";
import { SseWriter } from "../../streaming/sse-writer";
import { fromResponseUsage } from "./map-usage";
import type { ResponseObject } from "./responses-types";

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

export interface ResponsesStreamOptions {
  /** True for an OpenAI passthrough stream: its failure event is OpenAI's `error` event. */
  passthrough: boolean;
  /**
   * Called with the final response (completed or incomplete) before its event is written; false when it could
   * not be stored (too large), which the event then says with `store: false`.
   */
  onFinal?(response: ResponseObject): Promise<boolean>;
}

/** Opens the stream with `headers` (the answer is committed from here on) and returns its encoder. */
export function responsesStreamEncoder(res: Response, ctx: RequestContext, headers: Record<string, string>, opts: ResponsesStreamOptions): StreamEncoder<SseEvent> {
  const sse = new SseWriter(res);
  sse.open(headers);
  const facts: ResponseFacts = { finishReasons: [] };
  ctx.response = facts;
  let sent = 0;
  /** The response as response.created described it: what response.failed reports on. */
  let shell: Record<string, unknown> | undefined;
  /** A terminal event went out: a failure after it needs no event of its own. */
  let terminated = false;
  return {
    async emit(ev, isFirst) {
      if (isFirst) ctx.ttftMs = performance.now() - ctx.startedAt;
      const type = ev.event ?? typeOf(ev.data);
      if (type === "response.created") shell = parse(ev.data)?.response as Record<string, unknown> | undefined;
      else if (type?.endsWith(".delta")) ctx.streamedChars += deltaChars(ev.data);
      else if (type === "error") {
        terminated = true;
        ctx.streamError = new UpstreamError({ kind: "http", status: 500, message: "upstream error event" });
      }
      else if (type && TERMINAL.has(type)) {
        const response = parse(ev.data)?.response as ResponseObject | undefined;
        terminated = true;
        if (response) {
          ctx.usage = fromResponseUsage(response.usage);
          // A translation's estimate (the upstream reported nothing) is accounted as one, like a stream cut short.
          ctx.usagePartial = ev.usageEstimated === true;
          facts.id = response.id;
          facts.model = response.model;
          facts.finishReasons = [response.status];
          if (type === "response.failed") ctx.streamError = new UpstreamError({ kind: "http", status: 500, message: "upstream response failed" });
          else {
            let stored: boolean | undefined;
            try {
              stored = await opts.onFinal?.(response);
            } catch (err) {
              // The answer is refused (not stored, not sent): the stream ends with the error event instead.
              terminated = false;
              throw err;
            }
            if (stored === false) ev = { ...ev, data: JSON.stringify({ ...parse(ev.data), response: { ...response, store: false } }) };
          }
        }
      }
      sent++;
      await sse.frame(ev.event ? `event: ${ev.event}\ndata: ${ev.data}\n\n` : `data: ${ev.data}\n\n`);
    },
    get closed() {
      return sse.closed;
    },
    end: () => sse.end(),
    fail(err) {
      if (terminated) {
        sse.end();
        return;
      }
      const e = toHttpError(err);
      const error = { code: e.code ?? e.type, message: e.message };
      if (opts.passthrough || !shell) {
        sse.end(`event: error\ndata: ${JSON.stringify({ type: "error", ...error, param: e.param, sequence_number: sent })}\n\n`);
        return;
      }
      const response = { ...shell, status: "failed", error, usage: null };
      sse.end(`event: response.failed\ndata: ${JSON.stringify({ type: "response.failed", sequence_number: sent, response })}\n\n`);
    },
  };
}

function typeOf(data: string): string | undefined {
  const t = parse(data)?.type;
  return typeof t === "string" ? t : undefined;
}

function parse(data: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(data) as unknown;
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    // A malformed event is the client's to see; accounting keeps what it had.
    return undefined;
  }
}

/** Characters of text, reasoning or arguments in one delta event. */
function deltaChars(data: string): number {
  const d = parse(data)?.delta;
  return typeof d === "string" ? d.length : 0;
}
