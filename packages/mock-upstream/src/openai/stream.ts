import {
  CHOICE_FILTER_MEMBER,
  completionAnnotationChunk,
  EMPTY_CHOICE_FILTER_MEMBER,
  PROMPT_ANNOTATION_CHUNK,
} from "../azure/content-filter.js";
import { argumentFragments, contentPieces } from "../content-pieces.js";
import { SYSTEM_FINGERPRINT } from "../ids.js";
import type { ReplyPlan } from "../reply.js";
import type { RouteContext } from "../route.js";
import { sendStream, type SseEvent } from "../sse.js";
import { openaiError } from "./errors.js";
import { finishReason } from "./finish-reason.js";

interface StreamMeta {
  id: string;
  created: number;
  model: string;
  n: number;
  /** Present when the client asked for `stream_options.include_usage`. */
  usage?: object;
  /**
   * Stream as Azure OpenAI does: the prompt's annotation first, then either every choice annotated (the
   * default filter) or, with `asyncFilter`, bare chunks with annotation-only chunks after the content and
   * after the finish chunk. `promptChars` is where the reply's text starts, for the annotations' offsets.
   */
  azure?: { asyncFilter: boolean; promptChars: number };
}

/** Plans the `chat.completion.chunk` events of a reply and sends them with the behaviour's faults. */
export function streamChat(ctx: RouteContext, plan: ReplyPlan, meta: StreamMeta): Promise<void> {
  // Every chunk shares its envelope, so only the choice is serialised per event.
  const head =
    `{"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},` +
    `"model":${JSON.stringify(meta.model)},"system_fingerprint":"${SYSTEM_FINGERPRINT}","choices":[`;
  const tail = meta.usage ? `],"usage":null}` : "]}";
  const azure = meta.azure;
  const annotated = azure !== undefined && !azure.asyncFilter;
  const chunk = (index: number, delta: object, finish: string | null = null): string => {
    // Azure's default filter annotates every choice: the role and finish chunks with nothing to say.
    const filter = annotated ? (finish === null && !("role" in delta) ? CHOICE_FILTER_MEMBER : EMPTY_CHOICE_FILTER_MEMBER) : "";
    return `${head}{${filter}"index":${index},"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}${tail}`;
  };

  const events: SseEvent[] = [];
  if (azure) events.push({ data: PROMPT_ANNOTATION_CHUNK });
  const lateAnnotations: SseEvent[] = [];
  for (let i = 0; i < meta.n; i++) {
    events.push({ data: chunk(i, { role: "assistant", content: plan.content === null ? null : "", refusal: null }) });
    if (plan.content) {
      for (const piece of contentPieces(plan.content, ctx.behavior)) {
        events.push({ data: chunk(i, { content: piece }), content: true });
      }
    }
    plan.toolCalls.forEach((call, index) => {
      events.push({
        data: chunk(i, { tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }),
        content: true,
      });
      for (const fragment of argumentFragments(call.arguments)) {
        events.push({ data: chunk(i, { tool_calls: [{ index, function: { arguments: fragment } }] }), content: true });
      }
    });
    if (azure?.asyncFilter) {
      // The Asynchronous Filter's verdicts trail the text: one on the content before the finish chunk, and
      // one that arrives only after it (the last check of the whole reply).
      const end = azure.promptChars + (plan.content?.length ?? 0) + plan.toolCalls.reduce((n, c) => n + c.arguments.length, 0);
      events.push({ data: completionAnnotationChunk(i, azure.promptChars, end) });
      lateAnnotations.push({ data: completionAnnotationChunk(i, azure.promptChars, end) });
    }
    events.push({ data: chunk(i, {}, finishReason(plan.stop)) });
  }
  events.push(...lateAnnotations);
  if (meta.usage) events.push({ data: `${head}],"usage":${ctx.behavior.usageJson ?? JSON.stringify(meta.usage)}}` });
  events.push({ data: "[DONE]", done: true });

  const error = openaiError(500, ctx.behavior);
  return sendStream(ctx.ex, events, ctx.behavior, { data: JSON.stringify(error) });
}
