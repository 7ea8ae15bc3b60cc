// The Messages endpoint's stream encoding: Anthropic's named SSE events, passed on as the upstream (or the
// chat translation) produced them, ending after `message_stop` or with an Anthropic-shaped error event.
// Usage is read from the events that carry it, for accounting.
import type { Response } from "express";
import type { SseEvent } from "../../core/provider-contract";
import type { RequestContext } from "../../core/request-context";
import { toHttpError } from "../../core/to-http-error";
import { UpstreamError } from "../../core/upstream-error";
import { MessageSseWriter } from "./message-sse-writer";
import { toAnthropicErrorBody } from "./to-anthropic-error";
import type { StreamEncoder } from "../../pipeline/relay-stream";
import { readAnthropicUsage } from "../../providers/anthropic/map-anthropic-usage";

/** Opens the stream with `headers` (the answer is committed from here on) and returns its encoder. */
export function messagesStreamEncoder(res: Response, ctx: RequestContext, headers: Record<string, string>): StreamEncoder<SseEvent> {
  const sse = new MessageSseWriter(res);
  sse.open(headers);
  const account = usageTracker(ctx);
  return {
    async emit(ev, isFirst) {
      if (isFirst) ctx.ttftMs = performance.now() - ctx.startedAt;
      account(ev);
      await sse.write(ev);
    },
    get closed() {
      return sse.closed;
    },
    end: () => sse.end(),
    fail: (err) => sse.fail(toAnthropicErrorBody(toHttpError(err))),
  };
}

/**
 * Usage for accounting, read from the two events that carry it: message_start (input tokens; a
 * translated stream's is the prompt estimate) and message_delta (the final counts, unless a translation
 * had to estimate them). Until message_delta the usage is partial, and the text streamed so far is
 * tallied for an estimate should the stream end early (usage-seen.ts). An upstream `error` event (passed through as sent) marks the stream failed.
 */
function usageTracker(ctx: RequestContext): (ev: SseEvent) => void {
  let usage: Record<string, unknown> = {};
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
      // A translation's estimate (the upstream reported nothing) is accounted as one, like a stream cut short.
      ctx.usagePartial = ev.event === "message_start" || ev.usageEstimated === true;
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
