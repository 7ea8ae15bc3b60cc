import type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicRedactedThinkingBlock,
  AnthropicTextBlock,
  AnthropicThinkingBlock,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from "./anthropic-types";
import { convertToAnthropicContent, convertToAnthropicText } from "./convert-to-anthropic-content";
import type { OpenAIMessage, OpenAIToolCall } from "./openai-input-types";
import { RequestTranslationError } from "../../core/request-translation-error";
import { toolCallIdFor } from "../tool-call-ids";

/**
 * Anthropic's tool_use ids (and tool_result tool_use_id): ^[a-zA-Z0-9_-]+$. A history from another provider may hold
 * ids it refuses (Gemini's carry base64 with +/=, OpenAI-compatible ones may have dots): those are sent mapped, the
 * same for a call and its result (tool-call-ids.ts).
 */
const TOOL_USE_ID = { pattern: /^[a-zA-Z0-9_-]+$/ };

export interface AnthropicPrompt {
  system: AnthropicTextBlock[];
  messages: AnthropicMessage[];
}

/**
 * OpenAI messages -> Anthropic `system` + alternating user/assistant turns.
 *
 * - system and developer messages, wherever they appear, are hoisted into `system` in order;
 * - consecutive messages that land in the same role are merged into one turn, so tool results that follow
 *   each other (and a user message right after them) form a single user turn;
 * - in a user turn, tool_result blocks come first, as Anthropic requires;
 * - a conversation that starts with an assistant turn is sent as it is: nothing is invented in front of it,
 *   and if the upstream insists on a leading user turn its 400 reaches the client with Anthropic's message.
 */
export function convertToAnthropicMessages(messages: OpenAIMessage[]): AnthropicPrompt {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  // Legacy function calls carry no id; synthesize one per call and pair the following function message with it.
  const legacyCallIds = new Map<string, string>();

  const push = (role: "user" | "assistant", blocks: AnthropicContentBlock[]) => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: [...blocks] });
  };

  messages.forEach((message, i) => {
    const param = `messages.${i}`;
    switch (message.role) {
      case "system":
      case "developer":
        system.push(...convertToAnthropicText(message.content, `${param}.content`));
        break;
      case "user":
        push("user", convertToAnthropicContent(message.content, `${param}.content`));
        break;
      case "assistant":
        push("assistant", convertAssistant(message, param, legacyCallIds));
        break;
      case "tool":
        // An absent id stays empty (Anthropic names it); any other is mapped as its call's id is.
        push("user", [toolResult(message.tool_call_id ? toolCallIdFor(message.tool_call_id, TOOL_USE_ID) : "", message.content, param)]);
        break;
      case "function": {
        const id = legacyCallIds.get(message.name ?? "");
        if (!id) {
          throw new RequestTranslationError(
            `function message '${String(message.name)}' answers no earlier assistant function_call`,
            `${param}.name`,
          );
        }
        push("user", [toolResult(id, message.content, param)]);
        break;
      }
      default:
        throw new RequestTranslationError(`message role '${String(message.role)}' is not supported`, `${param}.role`);
    }
  });

  for (const turn of turns) {
    if (turn.role === "user") turn.content = toolResultsFirst(turn.content);
  }
  trimFinalAssistantText(turns);
  return { system, messages: turns };
}

function convertAssistant(message: OpenAIMessage, param: string, legacyCallIds: Map<string, string>): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = [...convertThinking(message, param)];
  blocks.push(...convertToAnthropicText(message.content, `${param}.content`));
  message.tool_calls?.forEach((call, j) => blocks.push(toolUse(call, `${param}.tool_calls.${j}`)));
  if (message.function_call) {
    const name = message.function_call.name ?? "";
    const id = `call_legacy_${param.replace(".", "_")}`;
    legacyCallIds.set(name, id);
    blocks.push({
      type: "tool_use",
      id,
      name,
      input: parseArguments(message.function_call.arguments, `${param}.function_call.arguments`),
    });
  }
  return blocks;
}

/**
 * Thinking blocks the model produced earlier must go back first in their turn, signatures byte for byte, or
 * Anthropic refuses the history when thinking is on. Native `thinking_blocks` win over the flattened
 * `reasoning_content` + `reasoning_signature` pair, which can only describe a single block.
 */
function convertThinking(message: OpenAIMessage, param: string): Array<AnthropicThinkingBlock | AnthropicRedactedThinkingBlock> {
  if (Array.isArray(message.thinking_blocks) && message.thinking_blocks.length > 0) {
    return message.thinking_blocks.map((block, k) => {
      if (block.type === "redacted_thinking" && typeof block.data === "string") {
        return { type: "redacted_thinking", data: block.data };
      }
      if (block.type === "thinking" && typeof block.thinking === "string" && typeof block.signature === "string") {
        return { type: "thinking", thinking: block.thinking, signature: block.signature };
      }
      throw new RequestTranslationError(
        "thinking_blocks entries must be {type:'thinking', thinking, signature} or {type:'redacted_thinking', data}",
        `${param}.thinking_blocks.${k}`,
      );
    });
  }
  if (typeof message.reasoning_content === "string" && typeof message.reasoning_signature === "string") {
    return [{ type: "thinking", thinking: message.reasoning_content, signature: message.reasoning_signature }];
  }
  // Reasoning without a signature cannot be verified by Anthropic, so it is not sent back.
  return [];
}

function toolUse(call: OpenAIToolCall, param: string): AnthropicToolUseBlock {
  if (call.type !== "function") {
    throw new RequestTranslationError(`tool call type '${String(call.type)}' is not supported by Anthropic models`, `${param}.type`);
  }
  if (!call.id) throw new RequestTranslationError("tool call id is required", `${param}.id`);
  return {
    type: "tool_use",
    id: toolCallIdFor(call.id, TOOL_USE_ID),
    name: call.function?.name ?? "",
    input: parseArguments(call.function?.arguments, `${param}.function.arguments`),
  };
}

function parseArguments(args: string | undefined, param: string): Record<string, unknown> {
  // Some clients send "" for a call without arguments; that is an empty object, not a mistake.
  if (args === undefined || args.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new RequestTranslationError("tool call arguments must be a JSON-encoded object; the string given is not valid JSON", param);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new RequestTranslationError("tool call arguments must be a JSON-encoded object", param);
  }
  return parsed as Record<string, unknown>;
}

function toolResult(toolUseId: string, content: OpenAIMessage["content"], param: string): AnthropicToolResultBlock {
  const block: AnthropicToolResultBlock = { type: "tool_result", tool_use_id: toolUseId };
  if (typeof content === "string") {
    if (content !== "") block.content = content;
  } else {
    const text = convertToAnthropicText(content, `${param}.content`);
    if (text.length > 0) block.content = text;
  }
  return block;
}

function toolResultsFirst(blocks: AnthropicContentBlock[]): AnthropicContentBlock[] {
  const results = blocks.filter((b) => b.type === "tool_result");
  if (results.length === 0) return blocks;
  return [...results, ...blocks.filter((b) => b.type !== "tool_result")];
}

/** Anthropic rejects a final (prefilled) assistant turn whose text ends in whitespace. */
function trimFinalAssistantText(turns: AnthropicMessage[]): void {
  const last = turns[turns.length - 1];
  if (!last || last.role !== "assistant") return;
  const block = last.content[last.content.length - 1];
  if (block?.type !== "text") return;
  const trimmed = block.text.trimEnd();
  if (trimmed === "") last.content.pop();
  else block.text = trimmed;
  if (last.content.length === 0) turns.pop();
}
