import { positiveInt, stopList, type ReplyInput } from "../reply.js";
import { countWords, textOf } from "../text.js";

interface ChatMessage {
  role?: unknown;
  content?: unknown;
}

function toolNameOf(tool: unknown): string | undefined {
  if (!tool || typeof tool !== "object") return undefined;
  const t = tool as { function?: { name?: unknown }; name?: unknown };
  const name = t.function?.name ?? t.name;
  return typeof name === "string" ? name : undefined;
}

/** Reads what the reply depends on from an OpenAI chat request. */
export function readChatRequest(body: Record<string, unknown>): ReplyInput & { promptTokens: number; n: number } {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as ChatMessage[];
  let promptTokens = 0;
  let lastUserText = "";
  for (const m of messages) {
    const text = textOf(m?.content);
    promptTokens += countWords(text) + 3;
    if (m?.role === "user") lastUserText = text;
  }

  const tools = Array.isArray(body.tools) ? body.tools : [];
  const choice = body.tool_choice as unknown;
  const last = messages[messages.length - 1];
  let toolName: string | undefined;
  if (tools.length > 0 && choice !== "none" && last?.role !== "tool") {
    const named = choice && typeof choice === "object" ? toolNameOf(choice) : undefined;
    toolName = named ?? toolNameOf(tools[0]);
  }

  const format = (body.response_format as { type?: unknown } | undefined)?.type;
  return {
    lastUserText,
    toolName,
    json: format === "json_schema" || format === "json_object",
    maxTokens: positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens),
    stop: stopList(body.stop),
    promptTokens,
    n: Math.max(1, positiveInt(body.n) ?? 1),
  };
}
