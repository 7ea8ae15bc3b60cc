import { RequestTranslationError } from "../../core/request-translation-error";
import type { OpenAIContentPart, OpenAIMessage } from "../anthropic/openai-input-types";
import type { GeminiContent, GeminiPart } from "./gemini-types";
import { thoughtSignatureOf } from "./thought-signature-id";

/**
 * OpenAI chat messages -> Gemini `contents` + `systemInstruction`.
 *
 * system and developer messages (wherever they stand) join the system instruction, in order. user -> role
 * "user", assistant -> role "model" (its tool calls become `functionCall` parts), tool -> a
 * `functionResponse` part in a "user" turn, named after the call it answers (Gemini matches results by
 * name, OpenAI by id); a thought signature carried in a tool call id goes back on its `functionCall` part
 * (thought-signature-id.ts). Consecutive turns of one role are merged, so parallel tool results travel together
 * as Gemini expects. Images: base64 data URLs become `inlineData`; other URLs are refused (Gemini fetches
 * only its own File API URIs), naming the field.
 */
export function convertToGeminiContents(messages: OpenAIMessage[]): { system: string[]; contents: GeminiContent[] } {
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  const push = (role: "user" | "model", parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((m, i) => {
    switch (m.role) {
      case "system":
      case "developer": {
        const text = textOf(m.content);
        if (text !== "") system.push(text);
        return;
      }
      case "user":
        push("user", userParts(m.content, i));
        return;
      case "assistant": {
        const parts: GeminiPart[] = [];
        const text = textOf(m.content);
        if (text !== "") parts.push({ text });
        (m.tool_calls ?? []).forEach((call, j) => {
          const name = call.function?.name ?? "";
          if (call.id) callNames.set(call.id, name);
          const signature = thoughtSignatureOf(call.id);
          const args = parseArguments(call.function?.arguments, `messages[${i}].tool_calls[${j}].function.arguments`);
          parts.push({ functionCall: { name, args }, ...(signature ? { thoughtSignature: signature } : {}) });
        });
        if (m.function_call?.name) {
          parts.push({ functionCall: { name: m.function_call.name, args: parseArguments(m.function_call.arguments, `messages[${i}].function_call.arguments`) } });
        }
        push("model", parts);
        return;
      }
      case "tool":
      case "function": {
        const name = m.role === "function" ? m.name : callNames.get(m.tool_call_id ?? "");
        if (!name) {
          throw new RequestTranslationError(`tool message ${i} answers no earlier assistant tool call (tool_call_id '${m.tool_call_id ?? ""}')`, `messages[${i}].tool_call_id`);
        }
        push("user", [{ functionResponse: { name, response: toResponseObject(textOf(m.content)) } }]);
        return;
      }
      default:
        throw new RequestTranslationError(`message role '${String(m.role)}' is not supported by Gemini models`, `messages[${i}].role`);
    }
  });
  return { system, contents };
}

function userParts(content: OpenAIMessage["content"], i: number): GeminiPart[] {
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  return content.map((part, j) => userPart(part, `messages[${i}].content[${j}]`));
}

function userPart(part: OpenAIContentPart & { input_audio?: { data?: string; format?: string } }, at: string): GeminiPart {
  switch (part.type) {
    case "text":
      return { text: part.text ?? "" };
    case "image_url":
      return dataUrlPart(part.image_url?.url ?? "", `${at}.image_url.url`);
    case "file":
      if (part.file?.file_data) return dataUrlPart(part.file.file_data, `${at}.file.file_data`);
      throw new RequestTranslationError("Gemini models take files inline only: send file_data as a base64 data URL", `${at}.file`);
    case "input_audio":
      return { inlineData: { mimeType: `audio/${part.input_audio?.format ?? "wav"}`, data: part.input_audio?.data ?? "" } };
    default:
      throw new RequestTranslationError(`content part type '${String(part.type)}' is not supported by Gemini models`, `${at}.type`);
  }
}

function dataUrlPart(url: string, param: string): GeminiPart {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!match) throw new RequestTranslationError("Gemini models take images as base64 data URLs (data:<mime>;base64,...) only", param);
  return { inlineData: { mimeType: match[1]!, data: match[2]! } };
}

function textOf(content: OpenAIMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p) => (p.type === "text" ? (p.text ?? "") : p.type === "refusal" ? (p.refusal ?? "") : "")).join("");
}

function parseArguments(args: string | undefined, param: string): Record<string, unknown> {
  if (args === undefined || args.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // falls through to the error below
  }
  throw new RequestTranslationError("tool call arguments must be a JSON object for Gemini models", param);
}

/** `functionResponse.response` must be an object: a JSON object result is sent as is, anything else under `output`. */
function toResponseObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    return { output: parsed };
  } catch {
    return { output: text };
  }
}
