import { respondJson, sendJson } from "../http.js";
import { planReply, type ReplyPlan } from "../reply.js";
import type { Route, RouteContext } from "../route.js";
import { readChatRequest } from "./chat-request.js";
import { openaiInvalid } from "./errors.js";
import { SYSTEM_FINGERPRINT } from "../ids.js";
import { finishReason } from "./finish-reason.js";
import { streamChat } from "./stream.js";

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

/** `POST /v1/chat/completions`. */
export const chatCompletions: Route = {
  flavor: "openai",
  handle(ctx) {
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
      return streamChat(ctx, plan, { id, created, model, n: input.n, usage: wantsUsage ? usage : undefined });
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
      choices: Array.from({ length: input.n }, (_, index) => ({
        index,
        message,
        logprobs: null,
        finish_reason: finishReason(plan.stop),
      })),
      ...(ctx.behavior.omitUsage ? {} : { usage }),
      system_fingerprint: SYSTEM_FINGERPRINT,
    });
  },
};
