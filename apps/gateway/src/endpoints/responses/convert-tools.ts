// Responses API tools and tool_choice -> chat's. Function tools carry name, parameters and strict at the top
// level in the Responses API and under `function` in chat. Built-in tools (web_search, file_search, mcp, ...)
// exist only on OpenAI's Responses API: for any other provider they are the client's 400, naming the type.
import { badRequest } from "../../core/http-error";
import type { ResponseTool, ResponseToolChoice } from "./responses-types";

export function convertTools(tools: ResponseTool[]): Array<Record<string, unknown>> {
  return tools.map((t, i) => {
    if (t.type !== "function") {
      throw badRequest(`tools.${i}: tools of type '${t.type}' are served only by OpenAI models (through their Responses API); this model takes function tools`, `tools.${i}.type`, "unsupported_tool_type");
    }
    if (typeof t.name !== "string" || !t.name) throw badRequest(`tools.${i}: a function tool needs a name`, `tools.${i}.name`);
    const fn: Record<string, unknown> = { name: t.name };
    if (typeof t.description === "string") fn.description = t.description;
    fn.parameters = t.parameters ?? { type: "object", properties: {} };
    if (typeof t.strict === "boolean") fn.strict = t.strict;
    return { type: "function", function: fn };
  });
}

export function convertToolChoice(choice: NonNullable<ResponseToolChoice>): unknown {
  if (typeof choice === "string") return choice;
  if (choice.type === "function") {
    if (typeof choice.name !== "string") throw badRequest("tool_choice: a function choice needs a name", "tool_choice.name");
    return { type: "function", function: { name: choice.name } };
  }
  if (choice.type === "allowed_tools") {
    const c = choice as { mode?: unknown; tools?: Array<{ type?: string; name?: string }> };
    const tools = (c.tools ?? []).map((t, i) => {
      if (t.type !== "function") throw badRequest(`tool_choice.tools.${i}: only function tools can be allowed for this model`, `tool_choice.tools.${i}.type`);
      return { type: "function", function: { name: t.name } };
    });
    return { type: "allowed_tools", allowed_tools: { mode: c.mode ?? "auto", tools } };
  }
  throw badRequest(`tool_choice: a choice of type '${choice.type}' is served only by OpenAI models`, "tool_choice.type");
}
