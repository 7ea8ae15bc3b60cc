import type { ChatCall, ChatCompletion } from "../../core/provider-contract";
import { UpstreamError } from "../../core/upstream-error";
import type { AnthropicMessagesResponse } from "./anthropic-types";
import { getJsonResponseTool } from "./get-json-response-tool";
import { mapAnthropicStopReason } from "./map-anthropic-stop-reason";
import { readAnthropicUsage } from "./map-anthropic-usage";
import type { OpenAIRequestView } from "./openai-input-types";

type ChatMessageOut = ChatCompletion["choices"][number]["message"];
type ToolCallOut = NonNullable<ChatMessageOut["tool_calls"]>[number];

/** A thinking block as returned to clients in `message.thinking_blocks`, signature untouched. */
export type ThinkingBlockOut = { type: "thinking"; thinking: string; signature: string } | { type: "redacted_thinking"; data: string };

/**
 * Anthropic message -> `chat.completion`. The routing fields are placeholders the gateway overwrites.
 * With a json_schema response format the response tool's input is the answer (as JSON text in `content`)
 * and text blocks around it are not, so they are dropped to keep `content` parseable.
 */
export function parseAnthropicResponse(json: unknown, call: ChatCall): ChatCompletion {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new UpstreamError({ kind: "protocol", message: "upstream returned a malformed messages response" });
  }
  const response = json as AnthropicMessagesResponse;
  const responseTool = getJsonResponseTool(call.body as OpenAIRequestView)?.name;

  const texts: string[] = [];
  const reasoning: string[] = [];
  const thinkingBlocks: ThinkingBlockOut[] = [];
  const toolCalls: ToolCallOut[] = [];
  let answer: string | undefined;

  for (const block of Array.isArray(response.content) ? response.content : []) {
    switch (block?.type) {
      case "text":
        if (typeof block.text === "string") texts.push(block.text);
        break;
      case "tool_use": {
        const args = JSON.stringify(block.input ?? {});
        if (responseTool !== undefined && block.name === responseTool) answer = args;
        else toolCalls.push({ id: block.id ?? "", type: "function", function: { name: block.name ?? "", arguments: args } });
        break;
      }
      case "thinking":
        reasoning.push(block.thinking ?? "");
        thinkingBlocks.push({ type: "thinking", thinking: block.thinking ?? "", signature: block.signature ?? "" });
        break;
      case "redacted_thinking":
        thinkingBlocks.push({ type: "redacted_thinking", data: block.data ?? "" });
        break;
      default:
        // Server tool blocks and future block types carry nothing an OpenAI client can read.
        break;
    }
  }

  const content = responseTool !== undefined ? (answer ?? null) : texts.length > 0 ? texts.join("") : null;
  const message: ChatMessageOut & { thinking_blocks?: ThinkingBlockOut[] } = { role: "assistant", content, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning.length > 0) message.reasoning_content = reasoning.join("");
  if (thinkingBlocks.length > 0) message.thinking_blocks = thinkingBlocks;

  return {
    id: response.id ?? `chatcmpl-${call.requestId}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: response.model ?? call.upstreamModel,
    choices: [
      {
        index: 0,
        message,
        finish_reason: mapAnthropicStopReason(response.stop_reason, answer !== undefined && toolCalls.length === 0),
        logprobs: null,
      },
    ],
    // An unusable report leaves usage out: the gateway then accounts the answer by estimate.
    usage: readAnthropicUsage(response.usage),
    provider: "anthropic",
    routing_policy: "default",
    request_id: call.requestId,
  };
}
