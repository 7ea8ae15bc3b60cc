// The chat endpoint's stream encoding: OpenAI chat.completion.chunk events over SSE, ending in
// `data: [DONE]` or an error event. The first chunk carries the assistant role and Runestone's routing
// metadata; a usage-only chunk reaches the client only when it asked for usage (the gateway's estimate, flagged,
// when the provider reported none); what is sent is tallied for accounting should the stream end early.
import type { Response } from "express";
import type { ChunkEvent } from "../../core/provider-contract";
import type { RequestContext, ResponseFacts } from "../../core/request-context";
import { toHttpError } from "../../core/to-http-error";
import { tallyStreamed } from "../../admission/chat-admission";
import type { PreparedChat } from "../../pipeline/prepare-chat";
import type { StreamEncoder } from "../../pipeline/relay-stream";
import { SseWriter } from "../../streaming/sse-writer";
import { usageSeen } from "../../telemetry/usage-seen";

/**
 * Opens the stream with `headers` (the answer is committed from here on) and returns its encoder.
 * `provider`: the provider id that produced the chunks (the attempt's, or a cached answer's).
 */
export function chatStreamEncoder(res: Response, ctx: RequestContext, p: PreparedChat, provider: string, headers: Record<string, string>): StreamEncoder<ChunkEvent> {
  const sse = new SseWriter(res);
  sse.open(headers);
  const meta = { provider, routing_policy: p.plan.policy, request_id: p.requestId };
  // The same members as `{ ...chunk, ...meta }` adds at its end, as text.
  const metaTail = `,"provider":${JSON.stringify(meta.provider)},"routing_policy":${JSON.stringify(meta.routing_policy)},"request_id":${JSON.stringify(meta.request_id)}}`;
  /**
   * The first chunk as the upstream's own text with the metadata spliced in before its closing brace, when
   * that says the same as parse -> spread -> stringify: the raw text is exact, the role did not have to be
   * added, and the chunk has none of the metadata's names (which the spread would overwrite in place).
   */
  const withMeta = (raw: string | undefined): string | undefined => {
    if (raw === undefined || raw.charCodeAt(raw.length - 1) !== 125 /* } */) return undefined;
    if (raw.includes('"provider"') || raw.includes('"routing_policy"') || raw.includes('"request_id"')) return undefined;
    return raw.slice(0, -1) + metaTail;
  };
  const facts: ResponseFacts = { finishReasons: [] };
  ctx.response = facts;
  let created = 0;
  let usageSent = false;
  return {
    emit(ev, isFirst) {
      const c = ev.chunk;
      tallyStreamed(ctx, c);
      for (const ch of c.choices) if (ch.finish_reason) facts.finishReasons!.push(ch.finish_reason);
      if (c.usage && c.choices.length === 0) {
        ctx.usage = c.usage;
        if (!p.clientWantsUsage) return undefined;
        usageSent = true;
      }
      if (isFirst) {
        created = c.created;
        const choice = c.choices[0];
        const addRole = choice !== undefined && !choice.delta.role;
        if (addRole) choice.delta = { role: "assistant", ...choice.delta };
        ctx.ttftMs = performance.now() - ctx.startedAt;
        facts.id = c.id;
        facts.model = c.model;
        return sse.data((!addRole && withMeta(ev.raw)) || JSON.stringify({ ...c, ...meta }));
      }
      return sse.data(ev.raw ?? JSON.stringify(c));
    },
    get closed() {
      return sse.closed;
    },
    end: () => {
      // Asked for usage, and the provider reported none (some OpenAI-compatible servers do not): the usage chunk
      // the contract promises, with the estimate the gateway accounts, flagged as one.
      if (p.clientWantsUsage && !usageSent) {
        const seen = usageSeen(res, ctx);
        if (seen?.estimated) {
          const { promptTokens, completionTokens } = seen.counts;
          const usage = { estimated: true, prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
          sse.data(JSON.stringify({ id: facts.id, object: "chat.completion.chunk", created, model: facts.model, choices: [], usage }));
        }
      }
      sse.done();
    },
    fail: (err) => sse.fail(toHttpError(err).toBody().error),
  };
}
