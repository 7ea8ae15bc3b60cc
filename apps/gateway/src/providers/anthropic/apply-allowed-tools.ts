import type { OpenAIRequestView } from "./openai-input-types";
import { RequestTranslationError } from "../../core/request-translation-error";

/**
 * OpenAI's `tool_choice: {type: "allowed_tools", allowed_tools: {mode, tools}}` restricts the model to a subset
 * of `tools` while the list itself stays the same (which keeps OpenAI's prompt cache warm). Anthropic has no such
 * choice, so the subset is expressed the other way round: only the allowed tools are sent, and the mode becomes
 * the plain `auto` or `required` choice. Any other body is returned as it is.
 */
export function applyAllowedTools(body: OpenAIRequestView): OpenAIRequestView {
  const choice = body.tool_choice;
  if (typeof choice !== "object" || choice === null || choice.type !== "allowed_tools") return body;
  const { mode, tools: allowedTools } = choice.allowed_tools ?? {};
  if (mode !== "auto" && mode !== "required") {
    throw new RequestTranslationError(`allowed_tools mode '${String(mode)}' is not supported by Anthropic models`, "tool_choice.allowed_tools.mode");
  }
  const names = new Set<string>();
  (allowedTools ?? []).forEach((tool, i) => {
    const name = tool?.type === "function" ? tool.function?.name : undefined;
    if (!name) {
      throw new RequestTranslationError(
        "Anthropic models can only be restricted to function tools, named as {type: 'function', function: {name}}",
        `tool_choice.allowed_tools.tools.${i}`,
      );
    }
    names.add(name);
  });
  const tools = (body.tools ?? []).filter((tool) => tool.type === "function" && names.has(tool.function?.name ?? ""));
  if (tools.length === 0) {
    throw new RequestTranslationError("none of the allowed tools is a function tool of the request's tools", "tool_choice.allowed_tools.tools");
  }
  return { ...body, tools, tool_choice: mode };
}
