// The chat endpoint's stream encoding: OpenAI chat.completion.chunk events over SSE, ending in
// `data: [DONE]` or an error event. The first chunk carries the assistant role and Runestone's routing
// metadata; a usage-only chunk reaches the client only when it asked for usage; what is sent is tallied
// for accounting should the stream end early.
import type { Response } from "express";
import type { ChunkEvent } from "../../core/provider-contract";
import type { RequestContext, ResponseFacts } from "../../core/request-context";
import { toHttpError } from "../../core/to-http-error";
import { tallyStreamed } from "../../admission/chat-admission";
import type { PreparedChat } from "../../pipeline/prepare-chat";
import type { StreamEncoder } from "../../pipeline/relay-stream";
import { SseWriter } from "../../streaming/sse-writer";

/**
 * Opens the stream with `headers` (the answer is committed from here on) and returns its encoder.
 * `provider`: the provider id that produced the chunks (the attempt's, or a cached answer's).
 */
export function chatStreamEncoder(res: Response, ctx: RequestContext, p: PreparedChat, provider: string, headers: Record<string, string>): StreamEncoder<ChunkEvent> {
  const sse = new SseWriter(res);
  sse.open(headers);
  const meta = { provider, routing_policy: p.plan.policy, request_id: p.requestId };
  const facts: ResponseFacts = { finishReasons: [] };
  ctx.response = facts;
  return {
    async emit(ev, isFirst) {
      const c = ev.chunk;
      tallyStreamed(ctx, c);
      for (const ch of c.choices) if (ch.finish_reason) facts.finishReasons!.push(ch.finish_reason);
      if (c.usage && c.choices.length === 0) {
        ctx.usage = c.usage;
        if (!p.clientWantsUsage) return;
      }
      if (isFirst) {
        const choice = c.choices[0];
        if (choice && !choice.delta.role) choice.delta = { role: "assistant", ...choice.delta };
        ctx.ttftMs = performance.now() - ctx.startedAt;
        facts.id = c.id;
        facts.model = c.model;
        await sse.data(JSON.stringify({ ...c, ...meta }));
        return;
      }
      await sse.data(ev.raw ?? JSON.stringify(c));
    },
    get closed() {
      return sse.closed;
    },
    end: () => sse.done(),
    fail: (err) => sse.fail(toHttpError(err).toBody().error),
  };
}
