import type { AdapterContext, ChatCall, UpstreamHttpRequest } from "../../core/provider-contract";
import type { AnthropicMessagesRequest } from "./anthropic-types";
import { convertToAnthropicMessages } from "./convert-to-anthropic-messages";
import { mapAnthropicThinking } from "./map-anthropic-thinking";
import type { OpenAIRequestView } from "./openai-input-types";
import { prepareAnthropicTools } from "./prepare-anthropic-tools";
import { RequestTranslationError } from "../../core/request-translation-error";

export const ANTHROPIC_VERSION = "2023-06-01";
export const FALLBACK_MAX_TOKENS = 4096;

const JSON_OBJECT_INSTRUCTION = "Answer with a single JSON object only: no prose and no code fences around it.";

/**
 * Fields Anthropic has no equivalent for (seed, penalties, logprobs, logit_bias, ...) are dropped silently,
 * as OpenAI-compatible servers commonly do; `n` > 1 is refused because the client would get fewer choices
 * than it asked for.
 */
export function buildAnthropicRequest(call: ChatCall, ctx: AdapterContext): UpstreamHttpRequest {
  return {
    path: "/v1/messages",
    headers: {
      "content-type": "application/json",
      "x-api-key": ctx.apiKey,
      "anthropic-version": ANTHROPIC_VERSION,
      ...ctx.headers,
    },
    body: JSON.stringify(buildAnthropicBody(call)),
  };
}

export function buildAnthropicBody(call: ChatCall): AnthropicMessagesRequest {
  const body = call.body as OpenAIRequestView;
  if (typeof body.n === "number" && body.n > 1) {
    throw new RequestTranslationError("Anthropic models return one choice per request; n must be 1", "n");
  }

  const format = body.response_format?.type;
  if (format !== undefined && format !== "text" && format !== "json_object" && format !== "json_schema") {
    throw new RequestTranslationError(`response_format type '${String(format)}' is not supported by Anthropic models`, "response_format.type");
  }
  // Anthropic models answer in text only: asking for audio (or any other output) cannot be honoured.
  const modality = body.modalities?.find((m) => m !== "text");
  if (modality !== undefined) {
    throw new RequestTranslationError(`output modality '${modality}' is not supported by Anthropic models`, "modalities");
  }

  const { system, messages } = convertToAnthropicMessages(body.messages ?? []);
  if (body.response_format?.type === "json_object") system.push({ type: "text", text: JSON_OBJECT_INSTRUCTION });

  const explicitMax = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const { thinking, maxTokens } = mapAnthropicThinking(
    body,
    explicitMax ?? call.defaultMaxTokens ?? FALLBACK_MAX_TOKENS,
    explicitMax !== undefined,
  );
  const thinkingOn = thinking !== undefined && thinking.type !== "disabled";

  const request: AnthropicMessagesRequest = {
    model: call.upstreamModel,
    max_tokens: maxTokens,
    ...(system.length > 0 ? { system } : {}),
    messages,
    ...prepareAnthropicTools(body),
  };

  // OpenAI accepts temperature 0..2, Anthropic 0..1. Clamping (rather than halving) keeps the common
  // values 0..1 meaning what the client meant; anything hotter becomes Anthropic's hottest. Anthropic
  // refuses a temperature next to extended thinking, so it is not sent then.
  if (typeof body.temperature === "number" && !thinkingOn) request.temperature = Math.min(1, Math.max(0, body.temperature));
  if (typeof body.top_p === "number") request.top_p = body.top_p;
  if (typeof body.top_k === "number") request.top_k = body.top_k;
  const stop = typeof body.stop === "string" ? [body.stop] : Array.isArray(body.stop) ? body.stop : [];
  if (stop.length > 0) request.stop_sequences = stop;
  if (typeof body.user === "string" && body.user !== "") request.metadata = { user_id: body.user };
  if (thinking) request.thinking = thinking;
  if (call.stream) request.stream = true;
  return request;
}
