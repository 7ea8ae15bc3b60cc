// Anthropic tools and tool_choice -> OpenAI tools, tool_choice and parallel_tool_calls.
import { RequestTranslationError } from "../../providers/anthropic";
import type { MessagesRequest } from "./messages-types";

export interface OpenAIToolFields {
  tools?: Array<{ type: "function"; function: { name: string; description?: string; parameters: Record<string, unknown> } }>;
  tool_choice?: "auto" | "none" | "required" | { type: "function"; function: { name: string } };
  parallel_tool_calls?: boolean;
}

/** The input schema is kept whole (`$defs`, `$ref`, `additionalProperties`): OpenAI reads JSON Schema too. */
export function prepareOpenAITools(body: Pick<MessagesRequest, "tools" | "tool_choice">): OpenAIToolFields {
  const out: OpenAIToolFields = {};
  const tools = body.tools ?? [];
  if (tools.length > 0) {
    out.tools = tools.map((t, i) => {
      if (t.type !== undefined && t.type !== "custom") {
        throw new RequestTranslationError(`the server tool '${t.type}' works only with Anthropic models`, `tools.${i}.type`);
      }
      return {
        type: "function" as const,
        function: {
          name: t.name,
          ...(t.description !== undefined ? { description: t.description } : {}),
          parameters: t.input_schema ?? { type: "object", properties: {} },
        },
      };
    });
  }
  const choice = body.tool_choice;
  if (choice && out.tools) {
    switch (choice.type) {
      case "auto":
        out.tool_choice = "auto";
        break;
      case "any":
        out.tool_choice = "required";
        break;
      case "none":
        out.tool_choice = "none";
        break;
      case "tool":
        if (!choice.name) throw new RequestTranslationError("tool_choice of type 'tool' needs a name", "tool_choice.name");
        out.tool_choice = { type: "function", function: { name: choice.name } };
        break;
    }
    if (choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
  }
  return out;
}
