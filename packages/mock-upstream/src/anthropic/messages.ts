import { respondJson, sendJson } from "../http.js";
import { planReply, type ReplyPlan } from "../reply.js";
import type { Route, RouteContext } from "../route.js";
import { anthropicInvalid } from "./errors.js";
import { readMessagesRequest, toolUseIdProblem } from "./messages-request.js";
import { stopReason } from "./stop-reason.js";
import { streamMessage } from "./stream.js";

export function parseInput(args: string): unknown {
  try {
    return JSON.parse(args);
  } catch {
    return {};
  }
}

export function messagesUsage(plan: ReplyPlan, promptWords: number, ctx: RouteContext) {
  const u = ctx.behavior.usage;
  return {
    input_tokens: u?.prompt_tokens ?? promptWords,
    cache_creation_input_tokens: u?.cache_creation_tokens ?? 0,
    cache_read_input_tokens: u?.cached_tokens ?? 0,
    output_tokens: u?.completion_tokens ?? plan.outputWords + plan.thinkingWords,
  };
}

function contentBlocks(plan: ReplyPlan): object[] {
  const blocks: object[] = [];
  if (plan.thinking) blocks.push({ type: "thinking", thinking: plan.thinking.text, signature: plan.thinking.signature });
  if (plan.content !== null) blocks.push({ type: "text", text: plan.content });
  for (const c of plan.toolCalls) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: parseInput(c.arguments) });
  return blocks;
}

/** `POST /v1/messages`. */
export const messages: Route = {
  flavor: "anthropic",
  handle(ctx) {
    const { body } = ctx;
    for (const field of ["model", "max_tokens", "messages"]) {
      if (body[field] === undefined) return sendJson(ctx.ex.res, 400, anthropicInvalid(`${field}: Field required`));
    }
    const badId = toolUseIdProblem(body);
    if (badId) return sendJson(ctx.ex.res, 400, anthropicInvalid(badId));
    const input = readMessagesRequest(body);
    const plan = planReply(input, ctx.behavior, () => ctx.ids.next("toolu_"));
    const id = ctx.ids.next("msg_");
    const model = ctx.model ?? "";
    const usage = messagesUsage(plan, input.promptTokens, ctx);

    if (body.stream === true) return streamMessage(ctx, plan, { id, model, usage });

    respondJson(ctx.ex, ctx.behavior, {
      id,
      type: "message",
      role: "assistant",
      model,
      content: contentBlocks(plan),
      stop_reason: stopReason(plan.stop),
      stop_sequence: plan.stopSequence,
      usage,
    });
  },
};
