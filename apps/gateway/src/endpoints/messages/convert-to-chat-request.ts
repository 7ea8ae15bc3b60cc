// An Anthropic Messages request -> the OpenAI chat request an OpenAI-shaped deployment receives.
import type { ChatRequest } from "../../core/provider-contract";
import { convertToOpenAIMessages } from "./convert-to-openai-messages";
import { mapOutputFormat } from "./map-output-format";
import { mapThinkingToReasoningEffort } from "./map-thinking-to-reasoning-effort";
import type { ChatTarget, MessagesRequest } from "./messages-types";
import { prepareOpenAITools } from "./prepare-openai-tools";

/**
 * Fields are translated one by one; Anthropic-only fields (`service_tier`, `container`, `mcp_servers`, ...) and
 * unknown ones are not sent, since OpenAI-shaped servers reject what they do not know. `output_config.format`
 * (structured outputs) becomes `response_format`. `model` is the deployment's
 * and is set by the provider.
 */
export function convertToChatRequest(body: MessagesRequest, target: ChatTarget): ChatRequest & Record<string, unknown> {
  const out: Record<string, unknown> = {
    model: body.model,
    messages: convertToOpenAIMessages(body.system, body.messages),
    ...prepareOpenAITools(body),
  };
  // OpenAI's own API deprecated max_tokens (reasoning models refuse it); compatible servers mostly know only
  // max_tokens, and the max_tokens_field quirk can switch it per provider.
  out[target.kind === "openai" ? "max_completion_tokens" : "max_tokens"] = body.max_tokens;
  if (body.stop_sequences && body.stop_sequences.length > 0) out.stop = body.stop_sequences;
  if (body.temperature !== undefined) out.temperature = body.temperature;
  if (body.top_p !== undefined) out.top_p = body.top_p;
  if (body.top_k !== undefined && target.kind !== "openai") out.top_k = body.top_k;
  if (typeof body.metadata?.user_id === "string" && body.metadata.user_id) out.user = body.metadata.user_id;
  const responseFormat = mapOutputFormat(body.output_config);
  if (responseFormat) out.response_format = responseFormat;
  const effort = mapThinkingToReasoningEffort(body.thinking, target.family);
  if (effort) out.reasoning_effort = effort;
  if (body.stream === true) out.stream = true;
  return out as ChatRequest & Record<string, unknown>;
}
