import { positiveInt, stopList, type ReplyInput } from "../reply.js";
import { countWords, textOf } from "../text.js";

interface AnthropicMessage {
  role?: unknown;
  content?: unknown;
}

function hasBlock(content: unknown, type: string): boolean {
  return Array.isArray(content) && content.some((b) => b && typeof b === "object" && (b as { type?: unknown }).type === type);
}

/** Text a message contributes to the prompt count, tool results included. */
function promptText(content: unknown): string {
  if (!Array.isArray(content)) return textOf(content);
  const texts = [textOf(content)];
  for (const b of content) {
    if (b && typeof b === "object" && (b as { type?: unknown }).type === "tool_result") {
      texts.push(textOf((b as { content?: unknown }).content));
    }
  }
  return texts.join(" ");
}

/**
 * Reads what the reply depends on from an Anthropic Messages request. Counting the system prompt as a
 * message keeps prompt tokens equal to those of the same conversation in OpenAI form.
 */
export function readMessagesRequest(body: Record<string, unknown>): ReplyInput & { promptTokens: number } {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as AnthropicMessage[];
  let promptTokens = body.system === undefined ? 0 : countWords(textOf(body.system)) + 3;
  let lastUserText = "";
  for (const m of messages) {
    promptTokens += countWords(promptText(m?.content)) + 3;
    // A turn of only tool results has no text: the question is still the earlier user text.
    if (m?.role === "user" && (typeof m.content === "string" || hasBlock(m.content, "text"))) {
      lastUserText = textOf(m.content);
    }
  }

  const tools = (Array.isArray(body.tools) ? body.tools : []) as Array<{ name?: unknown }>;
  const choice = body.tool_choice as { type?: unknown; name?: unknown } | undefined;
  const last = messages[messages.length - 1];
  let toolName: string | undefined;
  if (tools.length > 0 && choice?.type !== "none" && !(last?.role === "user" && hasBlock(last.content, "tool_result"))) {
    const name = choice?.type === "tool" ? choice.name : tools[0]?.name;
    toolName = typeof name === "string" ? name : undefined;
  }

  return {
    lastUserText,
    toolName,
    json: false,
    maxTokens: positiveInt(body.max_tokens),
    stop: stopList(body.stop_sequences),
    promptTokens,
  };
}

/** Anthropic's pattern for a tool_use id and a tool_result's tool_use_id. */
const TOOL_USE_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * The 400 message Anthropic answers for a tool_use id (or tool_result tool_use_id) outside its pattern, as
 * `messages.N.content.M.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`; undefined when all are valid.
 */
export function toolUseIdProblem(body: Record<string, unknown>): string | undefined {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as AnthropicMessage[];
  for (const [i, m] of messages.entries()) {
    if (!Array.isArray(m?.content)) continue;
    for (const [j, b] of (m.content as Array<Record<string, unknown> | null>).entries()) {
      const field = b?.type === "tool_use" ? "id" : b?.type === "tool_result" ? "tool_use_id" : undefined;
      if (!field) continue;
      const id = b![field];
      if (typeof id !== "string" || !TOOL_USE_ID.test(id)) {
        return `messages.${i}.content.${j}.${String(b!.type)}.${field}: String should match pattern '${TOOL_USE_ID.source}'`;
      }
    }
  }
  return undefined;
}
