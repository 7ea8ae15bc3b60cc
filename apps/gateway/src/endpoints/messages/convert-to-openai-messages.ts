// Anthropic system prompt and turns -> OpenAI chat messages.
import { RequestTranslationError } from "../../providers/anthropic";
import { convertDocument, convertImage, type OpenAIPart } from "./convert-image-source";
import type { InputMessage, MessageBlock, MessagesRequest } from "./messages-types";

export type OpenAIChatMessage = Record<string, unknown> & { role: string };

/**
 * Tool results come first in their user turn as `tool` messages (OpenAI wants them right after the assistant's
 * calls); what else the turn holds follows as one user message. Thinking blocks are dropped: only Anthropic can
 * check their signatures. Cache breakpoints are dropped: OpenAI-shaped providers cache on their own.
 */
export function convertToOpenAIMessages(system: MessagesRequest["system"], messages: InputMessage[]): OpenAIChatMessage[] {
  const out: OpenAIChatMessage[] = [];
  const systemText = typeof system === "string" ? system : (system ?? []).map((b, i) => textOf(b, `system.${i}`)).join("\n");
  if (systemText) out.push({ role: "system", content: systemText });

  messages.forEach((m, i) => {
    const param = `messages.${i}`;
    if (typeof m.content === "string") {
      out.push({ role: m.role, content: m.content });
      return;
    }
    if (m.role === "assistant") out.push(...convertAssistant(m.content, param));
    else out.push(...convertUser(m.content, param));
  });
  return out;
}

function convertUser(blocks: MessageBlock[], param: string): OpenAIChatMessage[] {
  const out: OpenAIChatMessage[] = [];
  const parts: OpenAIPart[] = [];
  blocks.forEach((b, j) => {
    const at = `${param}.content.${j}`;
    switch (b.type) {
      case "tool_result": {
        const { text, images } = convertToolResult(b, at);
        out.push({ role: "tool", tool_call_id: requireString(b.tool_use_id, `${at}.tool_use_id`), content: text });
        parts.push(...images);
        break;
      }
      case "text":
        parts.push({ type: "text", text: textOf(b, at) });
        break;
      case "image":
        parts.push(convertImage(b, at));
        break;
      case "document":
        parts.push(convertDocument(b, at));
        break;
      case "thinking":
      case "redacted_thinking":
        break;
      default:
        throw unsupported(b.type, at);
    }
  });
  if (parts.length > 0) out.push({ role: "user", content: asContent(parts) });
  return out;
}

function convertAssistant(blocks: MessageBlock[], param: string): OpenAIChatMessage[] {
  const texts: OpenAIPart[] = [];
  const toolCalls: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> = [];
  blocks.forEach((b, j) => {
    const at = `${param}.content.${j}`;
    switch (b.type) {
      case "text":
        texts.push({ type: "text", text: textOf(b, at) });
        break;
      case "tool_use":
        toolCalls.push({
          id: requireString(b.id, `${at}.id`),
          type: "function",
          function: { name: requireString(b.name, `${at}.name`), arguments: JSON.stringify(b.input ?? {}) },
        });
        break;
      case "thinking":
      case "redacted_thinking":
        break;
      default:
        throw unsupported(b.type, at);
    }
  });
  if (texts.length === 0 && toolCalls.length === 0) return [];
  const message: OpenAIChatMessage = { role: "assistant", content: texts.length > 0 ? asContent(texts) : null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return [message];
}

/** OpenAI tool messages hold text only; images a tool returned go to the user message that follows. */
function convertToolResult(b: MessageBlock, at: string): { text: string; images: OpenAIPart[] } {
  if (b.content === undefined || typeof b.content === "string") return { text: b.content ?? "", images: [] };
  const texts: string[] = [];
  const images: OpenAIPart[] = [];
  b.content.forEach((inner, k) => {
    const innerAt = `${at}.content.${k}`;
    if (inner.type === "text") texts.push(textOf(inner, innerAt));
    else if (inner.type === "image") images.push(convertImage(inner, innerAt));
    else if (inner.type === "document") images.push(convertDocument(inner, innerAt));
    else throw unsupported(inner.type, innerAt);
  });
  return { text: texts.join("\n"), images };
}

/** One text part stays a plain string, which every OpenAI-compatible server reads. */
function asContent(parts: OpenAIPart[]): string | OpenAIPart[] {
  const only = parts[0];
  return parts.length === 1 && only?.type === "text" ? only.text : parts;
}

function textOf(b: MessageBlock, at: string): string {
  if (b.type !== "text") throw new RequestTranslationError(`expected a text block, got '${b.type}'`, `${at}.type`);
  return requireString(b.text, `${at}.text`);
}

function requireString(v: unknown, param: string): string {
  if (typeof v !== "string") throw new RequestTranslationError(`${param} is required`, param);
  return v;
}

function unsupported(type: string, at: string): RequestTranslationError {
  return new RequestTranslationError(`content blocks of type '${type}' can only be sent to Anthropic models`, `${at}.type`);
}
