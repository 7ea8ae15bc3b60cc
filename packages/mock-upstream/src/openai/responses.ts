import { respondJson, sendJson } from "../http.js";
import { planReply, type ReplyPlan } from "../reply.js";
import type { Route, RouteContext } from "../route.js";
import { openaiInvalid } from "./errors.js";
import { readResponsesRequest } from "./responses-request.js";
import { responseObject, type ResponseParts } from "./responses-object.js";
import { streamResponse } from "./responses-stream.js";

function outputItems(plan: ReplyPlan, ctx: RouteContext): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (plan.content !== null) {
    out.push({
      id: ctx.ids.next("msg_"),
      type: "message",
      status: plan.stop === "length" ? "incomplete" : "completed",
      role: "assistant",
      content: [{ type: "output_text", text: plan.content, annotations: [], logprobs: [] }],
    });
  }
  for (const call of plan.toolCalls) {
    out.push({ id: ctx.ids.next("fc_"), type: "function_call", status: "completed", arguments: call.arguments, call_id: call.id, name: call.name });
  }
  return out;
}

/** `POST /v1/responses`: OpenAI's Responses API, JSON or its SSE event sequence with `stream: true`. */
export const responses: Route = {
  flavor: "openai",
  handle(ctx) {
    const { body } = ctx;
    if (typeof body.model !== "string") {
      return sendJson(ctx.ex.res, 400, openaiInvalid("Missing required parameter: 'model'.", "model", "missing_required_parameter"));
    }
    // As on OpenAI, a stored prompt template (`prompt`) may stand in for the input.
    if (typeof body.input !== "string" && !Array.isArray(body.input) && (typeof body.prompt !== "object" || body.prompt === null)) {
      return sendJson(ctx.ex.res, 400, openaiInvalid("Missing required parameter: 'input'.", "input", "missing_required_parameter"));
    }
    const input = readResponsesRequest(body);
    const plan = planReply(input, ctx.behavior, () => ctx.ids.next("call_"));
    const u = ctx.behavior.usage;
    const inputTokens = u?.prompt_tokens ?? input.promptTokens;
    const outputTokens = u?.completion_tokens ?? plan.outputWords;
    const parts: ResponseParts = {
      id: ctx.ids.next("resp_"),
      createdAt: Math.floor(Date.now() / 1000),
      model: ctx.model ?? "",
      body,
      output: outputItems(plan, ctx),
      usage: {
        input_tokens: inputTokens,
        input_tokens_details: { cached_tokens: u?.cached_tokens ?? 0 },
        output_tokens: outputTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: inputTokens + outputTokens,
      },
      incomplete: plan.stop === "length",
    };
    if (body.stream === true) return streamResponse(ctx, parts);
    respondJson(ctx.ex, ctx.behavior, responseObject(parts, parts.incomplete ? "incomplete" : "completed", parts.output, parts.usage));
  },
};
