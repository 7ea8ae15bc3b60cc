import type { AnthropicTool } from "./anthropic-types";
import { applyAllowedTools } from "./apply-allowed-tools";
import type { OpenAIRequestView } from "./openai-input-types";

/**
 * Anthropic has no structured-output mode, so `response_format: json_schema` is emulated with a tool named
 * after the schema whose input is the answer; the response parser and the stream transformer turn that
 * tool's input back into message content. Request, response and stream all derive it from the request body
 * with this one function, so they cannot disagree.
 *
 * When the client forces one of its own tools (`required` or a named choice) the answer of this turn is a
 * tool call, not the formatted answer, so no response tool is added.
 */
export function getJsonResponseTool(request: OpenAIRequestView): AnthropicTool | undefined {
  const format = request.response_format;
  if (format?.type !== "json_schema") return undefined;
  const body = applyAllowedTools(request);
  if (!format.json_schema?.name) return undefined;
  const choice = body.tool_choice ?? body.function_call;
  const clientTools = (body.tools?.length ?? 0) + (body.functions?.length ?? 0);
  if (clientTools > 0 && (choice === "required" || (typeof choice === "object" && choice !== null))) return undefined;
  const { name, description, schema } = format.json_schema;
  return {
    name,
    description: `${description ? `${description}\n\n` : ""}Give your final answer by calling this tool; its input is the answer.`,
    input_schema: schema ?? { type: "object", properties: {} },
  };
}
