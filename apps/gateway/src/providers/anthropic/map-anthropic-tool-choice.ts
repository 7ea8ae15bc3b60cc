import type { AnthropicToolChoice } from "./anthropic-types";
import type { OpenAIToolChoice } from "./openai-input-types";
import { RequestTranslationError } from "../../core/request-translation-error";

/**
 * OpenAI `tool_choice` -> Anthropic `tool_choice`. `parallel_tool_calls: false` becomes
 * `disable_parallel_tool_use: true`, which Anthropic carries on the choice itself (so an absent choice
 * becomes an explicit `auto`). Returns undefined when nothing needs to be sent. `allowed_tools` was applied to
 * the tool list before (apply-allowed-tools.ts); choices Anthropic cannot express (a custom tool, modes and
 * choice types OpenAI adds later) are refused naming `tool_choice`.
 */
export function mapAnthropicToolChoice(
  choice: OpenAIToolChoice | undefined,
  parallelToolCalls: boolean | undefined,
): AnthropicToolChoice | undefined {
  const disable = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined || choice === null) {
    return parallelToolCalls === false ? { type: "auto", disable_parallel_tool_use: true } : undefined;
  }
  if (typeof choice === "string") {
    switch (choice) {
      case "none":
        return { type: "none" };
      case "required":
        return { type: "any", ...disable };
      case "auto":
        return { type: "auto", ...disable };
      default:
        throw new RequestTranslationError(`tool_choice '${choice}' is not supported by Anthropic models`, "tool_choice");
    }
  }
  if (choice.type !== "function") {
    throw new RequestTranslationError(`tool_choice type '${String(choice.type)}' is not supported by Anthropic models`, "tool_choice.type");
  }
  const name = choice.function?.name;
  if (name) return { type: "tool", name, ...disable };
  return { type: "auto", ...disable };
}

/** The deprecated `function_call` parameter, read as the `tool_choice` it stands for. */
export function legacyFunctionCallToToolChoice(functionCall: string | { name?: string } | undefined): OpenAIToolChoice | undefined {
  if (functionCall === undefined || functionCall === null) return undefined;
  if (typeof functionCall === "string") return functionCall;
  return { type: "function", function: { name: functionCall.name } };
}
