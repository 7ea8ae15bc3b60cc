import { PROMPT_FILTER_RESULTS, SAFE_FILTER_RESULTS } from "../azure/content-filter.js";
import { respondJson, sendJson } from "../http.js";
import { planReply, type ReplyPlan } from "../reply.js";
import type { Route, RouteContext } from "../route.js";
import { readChatRequest } from "./chat-request.js";
import { openaiInvalid } from "./errors.js";
import { SYSTEM_FINGERPRINT } from "../ids.js";
import { finishReason } from "./finish-reason.js";
import { streamChat } from "./stream.js";
import { textOf } from "../text.js";

export function chatUsage(plan: ReplyPlan, promptWords: number, n: number, ctx: RouteContext) {
  const u = ctx.behavior.usage;
  const prompt = u?.prompt_tokens ?? promptWords;
  const completion = u?.completion_tokens ?? plan.outputWords * n;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: u?.cached_tokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/**
 * The chat completions route in OpenAI's dialect, or in Azure OpenAI's: the same answer with the content
 * filter's annotations (azure/content-filter.ts) on the prompt and on each choice, and in streams.
 */
function chatRoute(dialect: "openai" | "azure"): Route {
  return { flavor: "openai", handle: (ctx) => answerChat(ctx, dialect) };
}

/** `POST /v1/chat/completions`. */
export const chatCompletions = chatRoute("openai");

/** Azure OpenAI's `POST /openai/deployments/{deployment}/chat/completions`, past its own checks (azure/routes.ts). */
export const azureChatCompletions = chatRoute("azure");

function answerChat(ctx: RouteContext, dialect: "openai" | "azure"): void | Promise<void> {
  const { body } = ctx;
  if (typeof body.model !== "string") {
    return sendJson(ctx.ex.res, 400, openaiInvalid("you must provide a model parameter", null, null));
  }
  if (!Array.isArray(body.messages)) {
    return sendJson(
      ctx.ex.res,
      400,
      openaiInvalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter"),
    );
  }
  const input = readChatRequest(body);
  const plan = planReply(input, ctx.behavior, () => ctx.ids.next("call_"));
  const id = ctx.ids.next("chatcmpl-");
  const created = Math.floor(Date.now() / 1000);
  const model = ctx.model ?? "";
  const usage = chatUsage(plan, input.promptTokens, input.n, ctx);

  if (body.stream === true) {
    const opts = body.stream_options as { include_usage?: unknown } | undefined;
    const wantsUsage = opts?.include_usage === true && !ctx.behavior.omitUsage;
    const azure =
      dialect === "azure"
        ? { asyncFilter: ctx.behavior.asyncFilter === true, promptChars: promptChars(body.messages) }
        : undefined;
    return streamChat(ctx, plan, { id, created, model, n: input.n, usage: wantsUsage ? usage : undefined, azure });
  }

  const message = {
    role: "assistant",
    content: plan.content,
    refusal: null,
    ...(plan.toolCalls.length > 0 && {
      tool_calls: plan.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })),
    }),
  };
  respondJson(ctx.ex, ctx.behavior, {
    id,
    object: "chat.completion",
    created,
    model,
    ...(dialect === "azure" && { prompt_filter_results: PROMPT_FILTER_RESULTS }),
    choices: Array.from({ length: input.n }, (_, index) => ({
      ...(dialect === "azure" && { content_filter_results: SAFE_FILTER_RESULTS }),
      index,
      message,
      logprobs: null,
      finish_reason: finishReason(plan.stop),
    })),
    ...(ctx.behavior.omitUsage ? {} : { usage }),
    system_fingerprint: SYSTEM_FINGERPRINT,
  });
}

/** Characters of the prompt's text: where the reply starts in an annotation's offsets. */
function promptChars(messages: unknown): number {
  let n = 0;
  for (const m of Array.isArray(messages) ? messages : []) n += textOf((m as { content?: unknown } | null)?.content).length;
  return n;
}
