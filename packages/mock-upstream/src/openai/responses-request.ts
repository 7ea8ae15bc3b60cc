import { positiveInt, type ReplyInput } from "../reply.js";
import { countWords } from "../text.js";

interface InputItem {
  type?: unknown;
  role?: unknown;
  content?: unknown;
  arguments?: unknown;
  output?: unknown;
}

/** Text of a Responses message content: a string, or its `input_text` / `output_text` parts joined by a space. */
function textOfParts(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content as Array<{ type?: unknown; text?: unknown }>) {
    if ((part?.type === "input_text" || part?.type === "output_text") && typeof part.text === "string") texts.push(part.text);
  }
  return texts.join(" ");
}

function itemText(item: InputItem): string {
  if (item.type === "function_call") return typeof item.arguments === "string" ? item.arguments : "";
  if (item.type === "function_call_output") return textOfParts(item.output);
  return textOfParts(item.content);
}

function toolNameOf(tool: unknown): string | undefined {
  const name = (tool as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : undefined;
}

/**
 * Reads what the reply depends on from an OpenAI Responses request: the last user message's text, a function
 * call to plan (the first function tool, or the one `tool_choice` names, unless the last item is a function's
 * output), `text.format` JSON, and `max_output_tokens`. Prompt tokens: words of every item (and the
 * instructions) plus 3 per item.
 */
export function readResponsesRequest(body: Record<string, unknown>): ReplyInput & { promptTokens: number } {
  const items: InputItem[] =
    typeof body.input === "string" ? [{ type: "message", role: "user", content: body.input }] : Array.isArray(body.input) ? (body.input as InputItem[]) : [];
  let promptTokens = typeof body.instructions === "string" ? countWords(body.instructions) + 3 : 0;
  let lastUserText = "";
  for (const item of items) {
    const text = itemText(item ?? {});
    promptTokens += countWords(text) + 3;
    if (item?.role === "user" && (item.type === undefined || item.type === "message")) lastUserText = text;
  }
  const tools = (Array.isArray(body.tools) ? body.tools : []).filter((t) => (t as { type?: unknown })?.type === "function");
  const choice = body.tool_choice as unknown;
  const last = items[items.length - 1];
  let toolName: string | undefined;
  if (tools.length > 0 && choice !== "none" && last?.type !== "function_call_output") {
    toolName = (choice && typeof choice === "object" ? toolNameOf(choice) : undefined) ?? toolNameOf(tools[0]);
  }
  const format = ((body.text as { format?: { type?: unknown } } | undefined)?.format)?.type;
  return {
    lastUserText,
    toolName,
    json: format === "json_schema" || format === "json_object",
    maxTokens: positiveInt(body.max_output_tokens),
    stop: [],
    promptTokens,
  };
}
