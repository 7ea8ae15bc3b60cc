// An OpenAI chat.completion -> an Anthropic message.
import type { ChatCompletion } from "../../core/provider-contract";
import { mapFinishReason } from "./map-finish-reason";
import { mapUsageToAnthropic } from "./map-usage-to-anthropic";
import type { MessageBlock, MessageResponse } from "./messages-types";
import { parseToolInput } from "./parse-tool-input";

/**
 * Blocks come in Anthropic's order: thinking, text, tool_use. Reasoning an OpenAI-shaped provider returned
 * (`reasoning_content`) becomes a thinking block without a signature, since none exists.
 */
export function convertToAnthropicMessage(completion: ChatCompletion, publicModel: string): MessageResponse {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: MessageBlock[] = [];
  if (message?.reasoning_content) content.push({ type: "thinking", thinking: message.reasoning_content, signature: "" });
  if (message?.content) content.push({ type: "text", text: message.content });
  if (message?.refusal) content.push({ type: "text", text: message.refusal });
  for (const call of message?.tool_calls ?? []) {
    // Messages requests declare only JSON-input tools, so only function calls can answer them.
    if (call.type !== "function") continue;
    content.push({ type: "tool_use", id: call.id, name: call.function.name, input: parseToolInput(call.function.arguments) });
  }
  return {
    id: completion.id,
    type: "message",
    role: "assistant",
    model: completion.model || publicModel,
    content,
    stop_reason: message?.refusal ? "refusal" : mapFinishReason(choice?.finish_reason),
    stop_sequence: null,
    usage: mapUsageToAnthropic(completion.usage),
  };
}
