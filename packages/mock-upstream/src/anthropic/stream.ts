import { argumentFragments, contentPieces } from "../content-pieces.js";
import type { ReplyPlan } from "../reply.js";
import type { RouteContext } from "../route.js";
import { sendStream, type SseEvent } from "../sse.js";
import { jsonText } from "../raw-json.js";
import { splitWords } from "../text.js";
import { anthropicError } from "./errors.js";
import { stopReason } from "./stop-reason.js";

interface StreamMeta {
  id: string;
  model: string;
  usage: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number; output_tokens: number };
}

/** Plans the Messages event sequence (message_start ... message_stop) and sends it with the behaviour's faults. */
export function streamMessage(ctx: RouteContext, plan: ReplyPlan, meta: StreamMeta): Promise<void> {
  const ev = (type: string, payload: object, flags?: Pick<SseEvent, "content" | "done">): SseEvent => ({
    event: type,
    data: jsonText({ type, ...payload }, ctx.behavior),
    ...flags,
  });
  const events: SseEvent[] = [
    ev("message_start", {
      message: {
        id: meta.id,
        type: "message",
        role: "assistant",
        model: meta.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...meta.usage, output_tokens: 1 },
      },
    }),
  ];

  let index = 0;
  const block = (start: object, deltas: object[]): void => {
    events.push(ev("content_block_start", { index, content_block: start }));
    if (index === 0) events.push(ev("ping", {}));
    for (const delta of deltas) events.push(ev("content_block_delta", { index, delta }, { content: true }));
    events.push(ev("content_block_stop", { index }));
    index += 1;
  };

  if (plan.thinking) {
    block({ type: "thinking", thinking: "", signature: "" }, [
      ...splitWords(plan.thinking.text).map((thinking) => ({ type: "thinking_delta", thinking })),
      { type: "signature_delta", signature: plan.thinking.signature },
    ]);
  }
  if (plan.content !== null) {
    block(
      { type: "text", text: "" },
      contentPieces(plan.content, ctx.behavior).map((text) => ({ type: "text_delta", text })),
    );
  }
  for (const call of plan.toolCalls) {
    block({ type: "tool_use", id: call.id, name: call.name, input: {} }, [
      { type: "input_json_delta", partial_json: "" },
      ...argumentFragments(call.arguments).map((partial_json) => ({ type: "input_json_delta", partial_json })),
    ]);
  }

  events.push(
    ev("message_delta", {
      delta: { stop_reason: stopReason(plan.stop), stop_sequence: plan.stopSequence },
      usage: { output_tokens: meta.usage.output_tokens },
    }),
    ev("message_stop", {}, { done: true }),
  );

  return sendStream(ctx.ex, events, ctx.behavior, ev("error", { error: anthropicError(529, ctx.behavior).error }));
}
