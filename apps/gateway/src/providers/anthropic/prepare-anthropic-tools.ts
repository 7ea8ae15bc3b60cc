import type { AnthropicTool, AnthropicToolChoice } from "./anthropic-types";
import { applyAllowedTools } from "./apply-allowed-tools";
import { getJsonResponseTool } from "./get-json-response-tool";
import { legacyFunctionCallToToolChoice, mapAnthropicToolChoice } from "./map-anthropic-tool-choice";
import type { OpenAIFunctionDefinition, OpenAIRequestView } from "./openai-input-types";
import { RequestTranslationError } from "../../core/request-translation-error";

export interface PreparedTools {
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
}

/** `tools` (or the deprecated `functions`), `tool_choice`, `parallel_tool_calls` and a json_schema response format. */
export function prepareAnthropicTools(request: OpenAIRequestView): PreparedTools {
  const body = applyAllowedTools(request);
  const clientTools = convertClientTools(body);
  const jsonTool = getJsonResponseTool(body);
  const tools = jsonTool ? [...clientTools, jsonTool] : clientTools;
  if (tools.length === 0) return {};

  const choice = body.tool_choice ?? legacyFunctionCallToToolChoice(body.function_call);
  const disable = body.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  let toolChoice: AnthropicToolChoice | undefined;
  if (jsonTool && clientTools.length > 0 && choice !== "none") {
    // The model may call the client's tools or answer through the response tool, but must do one of them,
    // which is what OpenAI's structured outputs promise next to tools.
    toolChoice = { type: "any", ...disable };
  } else if (jsonTool) {
    toolChoice = { type: "tool", name: jsonTool.name, ...disable };
  } else {
    toolChoice = mapAnthropicToolChoice(choice, body.parallel_tool_calls);
  }
  return toolChoice ? { tools, tool_choice: toolChoice } : { tools };
}

function convertClientTools(body: OpenAIRequestView): AnthropicTool[] {
  if (body.tools && body.tools.length > 0) {
    return body.tools.map((tool, i) => {
      if (tool.type !== "function" || !tool.function) {
        throw new RequestTranslationError(`tool type '${String(tool.type)}' is not supported by Anthropic models`, `tools.${i}.type`);
      }
      const converted = convertFunction(tool.function);
      return tool.cache_control ? { ...converted, cache_control: tool.cache_control } : converted;
    });
  }
  return (body.functions ?? []).map(convertFunction);
}

function convertFunction(fn: OpenAIFunctionDefinition): AnthropicTool {
  return {
    name: fn.name ?? "",
    ...(fn.description ? { description: fn.description } : {}),
    input_schema: inputSchema(fn.parameters),
  };
}

/** The whole JSON schema goes through ($defs, $ref, additionalProperties, nesting); Anthropic only insists on type object. */
function inputSchema(parameters: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!parameters) return { type: "object", properties: {} };
  return parameters.type === undefined ? { type: "object", ...parameters } : parameters;
}
