// Responses API input (instructions + a text or a list of items) -> chat messages, for providers that do not
// speak the Responses API. `function_call` items become an assistant turn's tool_calls (consecutive calls, and
// an assistant message just before them, make one turn), `function_call_output` items tool messages.
// A `reasoning` item the gateway made from a provider's thinking (its `encrypted_content`,
// reasoning-encrypted-content.ts) goes back as the next assistant turn's `thinking_blocks`, which the Anthropic
// adapter sends first in that turn, signatures intact; other reasoning items (OpenAI's, or reasoning shown
// without a signature) are dropped: a chat provider takes no reasoning back.
// What cannot be expressed in chat is the client's 400, naming the item.
import { badRequest } from "../../core/http-error";
import type { ChatMessage } from "../../core/provider-contract";
import { decodeThinkingBlocks, type ThinkingBlock } from "./reasoning-encrypted-content";
import type { ResponseContentPart, ResponseInputItem, ResponsesBody } from "./responses-types";

type Msg = Record<string, unknown>;
const ROLES = new Set(["user", "assistant", "system", "developer"]);

export function convertInputToMessages(body: Pick<ResponsesBody, "input" | "instructions">): ChatMessage[] {
  const out: Msg[] = [];
  if (typeof body.instructions === "string" && body.instructions) out.push({ role: "system", content: body.instructions });
  if (typeof body.input === "string") {
    out.push({ role: "user", content: body.input });
    return out as ChatMessage[];
  }
  /** Thinking blocks of reasoning items, waiting for the assistant turn that follows them. */
  const thinking: ThinkingBlock[] = [];
  (body.input ?? []).forEach((item, i) => convertItem(item, `input.${i}`, out, thinking));
  return out as ChatMessage[];
}

/** `turn` (an assistant message) takes the thinking blocks that came before it. */
function giveThinking(turn: Msg, thinking: ThinkingBlock[]): void {
  if (!thinking.length) return;
  turn.thinking_blocks = [...((turn.thinking_blocks as ThinkingBlock[] | undefined) ?? []), ...thinking.splice(0)];
}

function convertItem(item: ResponseInputItem, at: string, out: Msg[], thinking: ThinkingBlock[]): void {
  const type = item.type ?? "message";
  // Reasoning belongs to the assistant turn right after it; anything else in between leaves it without one.
  if (type !== "reasoning" && type !== "function_call" && !(type === "message" && item.role === "assistant")) thinking.length = 0;
  switch (type) {
    case "message":
      pushMessage(item, at, out);
      if (item.role === "assistant") giveThinking(out.at(-1)!, thinking);
      return;
    case "function_call": {
      if (typeof item.call_id !== "string" || typeof item.name !== "string") throw badRequest(`${at}: a function_call item needs call_id and name`, `${at}.call_id`);
      const call = { id: item.call_id, type: "function", function: { name: item.name, arguments: typeof item.arguments === "string" ? item.arguments : "{}" } };
      const last = out.at(-1);
      // One assistant turn holds its text and every call it made.
      if (last?.role === "assistant" && !last.tool_call_id) last.tool_calls = [...((last.tool_calls as unknown[] | undefined) ?? []), call];
      else out.push({ role: "assistant", content: null, tool_calls: [call] });
      giveThinking(out.at(-1)!, thinking);
      return;
    }
    case "function_call_output": {
      if (typeof item.call_id !== "string") throw badRequest(`${at}: a function_call_output item needs call_id`, `${at}.call_id`);
      const output = item.output;
      const content = typeof output === "string" ? output : Array.isArray(output) ? output.map((p, j) => convertPart(p, `${at}.output.${j}`)) : "";
      out.push({ role: "tool", tool_call_id: item.call_id, content });
      return;
    }
    case "reasoning":
      thinking.push(...(decodeThinkingBlocks((item as { encrypted_content?: unknown }).encrypted_content) ?? []));
      return;
    default:
      throw badRequest(`${at}: input items of type '${type}' are served only by OpenAI models`, `${at}.type`, "unsupported_input_item");
  }
}

function pushMessage(item: ResponseInputItem, at: string, out: Msg[]): void {
  const role = item.role ?? "user";
  if (!ROLES.has(role)) throw badRequest(`${at}.role: '${role}' is not a message role (user, assistant, system, developer)`, `${at}.role`);
  const content = item.content;
  if (role === "assistant") {
    // An earlier answer: its output_text (and refusal) parts are the assistant's text.
    const text = typeof content === "string" ? content : (content ?? []).map((p) => (typeof p.text === "string" ? p.text : typeof p.refusal === "string" ? p.refusal : "")).join("");
    out.push({ role: "assistant", content: text });
    return;
  }
  if (typeof content === "string" || content === undefined) {
    out.push({ role, content: content ?? "" });
    return;
  }
  const parts = content.map((p, j) => convertPart(p, `${at}.content.${j}`));
  // System and developer messages take text only in chat.
  if (role !== "user") out.push({ role, content: parts.map((p) => (p.type === "text" ? p.text : "")).join("\n") });
  else out.push({ role, content: parts });
}

type ChatPart = { type: string; [k: string]: unknown };

function convertPart(p: ResponseContentPart, at: string): ChatPart {
  switch (p.type) {
    case "input_text":
    case "output_text":
      return { type: "text", text: p.text ?? "" };
    case "input_image": {
      if (typeof p.image_url !== "string" || !p.image_url) throw badRequest(`${at}: an image is sent to this model as image_url (a URL or data URL); file ids are OpenAI's`, `${at}.image_url`);
      return { type: "image_url", image_url: { url: p.image_url, ...(typeof p.detail === "string" ? { detail: p.detail } : {}) } };
    }
    case "input_file": {
      if (typeof p.file_data !== "string" || !p.file_data) throw badRequest(`${at}: a file is sent to this model as file_data (a data URL); file ids and URLs are OpenAI's`, `${at}.file_data`);
      return { type: "file", file: { file_data: p.file_data, ...(typeof p.filename === "string" ? { filename: p.filename } : {}) } };
    }
    default:
      throw badRequest(`${at}: content parts of type '${p.type}' are served only by OpenAI models`, `${at}.type`);
  }
}
