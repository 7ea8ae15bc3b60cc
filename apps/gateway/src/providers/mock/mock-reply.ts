// What the built-in mock model answers: deterministic, derived from the prompt, never pretending
// to be a real model (it only serves models named mock-*).
import type { ChatCall, ChatRequest } from "../../core/provider-contract";

export interface MockReply {
  content: string | null;
  toolCall?: { id: string; name: string; arguments: string };
  finishReason: "stop" | "length" | "tool_calls";
  promptTokens: number;
  completionTokens: number;
}

export function lastUserText(messages: ChatRequest["messages"]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role: string; content?: unknown };
    if (m.role === "user") return textOf(m.content);
  }
  return "";
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof p === "object" && (p as { type?: string }).type === "text" ? String((p as { text?: unknown }).text ?? "") : ""))
      .filter(Boolean)
      .join(" ");
  }
  return "";
}

export const countWords = (s: string): number => (s.trim() ? s.trim().split(/\s+/).length : 0);

export function mockReply(call: ChatCall): MockReply {
  const body = call.body;
  const messages = body.messages;
  const promptTokens = messages.reduce((n, m) => n + 3 + countWords(textOf((m as { content?: unknown }).content)), 0);
  const userText = lastUserText(messages);
  const last = messages[messages.length - 1] as { role: string } | undefined;
  // The mock only calls function tools; with custom tools (or tool types it does not know) alone it answers text.
  const functionNames = (Array.isArray(body.tools) ? body.tools : []).flatMap((t) => {
    const name = t.type === "function" ? (t as { function?: { name?: string } }).function?.name : undefined;
    return name ? [name] : [];
  });
  const choice = body.tool_choice;
  if (functionNames.length && choice !== "none" && last?.role !== "tool") {
    const named = typeof choice === "object" && choice ? (choice as { function?: { name?: string } }).function?.name : undefined;
    const name = named ?? functionNames[0]!;
    const args = JSON.stringify({ input: userText });
    return {
      content: null,
      toolCall: { id: `call_mock_${promptTokens}`, name, arguments: args },
      finishReason: "tool_calls",
      promptTokens,
      completionTokens: countWords(args),
    };
  }
  const format = (body.response_format as { type?: string } | undefined)?.type;
  let content = format === "json_schema" || format === "json_object" ? JSON.stringify({ echo: userText }) : `echo: ${userText}`;
  let finishReason: MockReply["finishReason"] = "stop";
  const cap = (body.max_completion_tokens ?? body.max_tokens) as number | null | undefined;
  const words = content.split(/(?<=\s)/);
  if (typeof cap === "number" && cap < words.length && format !== "json_schema" && format !== "json_object") {
    content = words.slice(0, cap).join("").trimEnd();
    finishReason = "length";
  }
  return { content, finishReason, promptTokens, completionTokens: countWords(content) };
}
