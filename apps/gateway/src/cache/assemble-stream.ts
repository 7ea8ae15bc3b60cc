// A streamed answer, put back together as the chat.completion it would have been as JSON, so one stored
// form serves both JSON and stream requests. Pieces are joined the way OpenAI documents them: text fields
// (`content`, `refusal`, `reasoning_content`) concatenated in order; tool calls merged by their `index`
// (the first piece has id, type and name, later ones add `arguments`, or a custom tool's `input`); logprobs
// appended; the last `finish_reason` and the usage chunk kept. An answer is only complete when every
// choice has its finish_reason: anything less (a cut stream) is never stored.
import type { ChatCompletion, ChatCompletionChunk } from "../core/provider-contract";

type Obj = Record<string, unknown>;

interface ChoiceParts {
  message: Obj;
  toolCalls: Obj[];
  finishReason: string | null;
  logprobs: { content: unknown[]; refusal: unknown[] } | null;
}

const CONCATENATED = new Set(["content", "refusal", "reasoning_content"]);

export class StreamAssembler {
  private head: Obj | undefined;
  private readonly choices = new Map<number, ChoiceParts>();
  private usage: unknown;

  add(chunk: ChatCompletionChunk): void {
    if (!this.head) {
      const { choices: _c, usage: _u, ...head } = chunk as Obj;
      this.head = head;
    }
    if (chunk.usage) this.usage = chunk.usage;
    for (const ch of chunk.choices ?? []) {
      let parts = this.choices.get(ch.index);
      if (!parts) {
        parts = { message: { role: "assistant", content: null, refusal: null }, toolCalls: [], finishReason: null, logprobs: null };
        this.choices.set(ch.index, parts);
      }
      this.addDelta(parts, (ch.delta ?? {}) as Obj);
      if (ch.finish_reason) parts.finishReason = ch.finish_reason;
      const lp = (ch as Obj).logprobs as { content?: unknown[] | null; refusal?: unknown[] | null } | null | undefined;
      if (lp) {
        parts.logprobs ??= { content: [], refusal: [] };
        if (lp.content) parts.logprobs.content.push(...lp.content);
        if (lp.refusal) parts.logprobs.refusal.push(...lp.refusal);
      }
    }
  }

  /** The whole answer, or undefined when some choice never finished (or there was none). */
  complete(): ChatCompletion | undefined {
    if (!this.head || this.choices.size === 0) return undefined;
    const choices: Obj[] = [];
    for (const [index, p] of [...this.choices].sort((a, b) => a[0] - b[0])) {
      if (!p.finishReason) return undefined;
      const message = { ...p.message };
      if (p.toolCalls.length) {
        message.tool_calls = p.toolCalls.filter(Boolean);
        // A stream opens with `content: ""` even before tool calls only; as JSON that answer has no content.
        if (message.content === "") message.content = null;
      }
      choices.push({ index, message, finish_reason: p.finishReason, logprobs: p.logprobs });
    }
    const { object: _o, ...head } = this.head;
    const out: Obj = { ...head, object: "chat.completion", choices };
    if (this.usage) out.usage = this.usage;
    return out as ChatCompletion;
  }

  private addDelta(p: ChoiceParts, delta: Obj): void {
    for (const [k, v] of Object.entries(delta)) {
      if (v === undefined || v === null) continue;
      if (k === "tool_calls") {
        for (const piece of v as Obj[]) mergeToolCall(p.toolCalls, piece);
      } else if (k === "thinking_blocks" && Array.isArray(v)) {
        p.message[k] = [...((p.message[k] as unknown[] | undefined) ?? []), ...v];
      } else if (k === "function_call") {
        const fc = v as { name?: string; arguments?: string };
        const prev = (p.message.function_call as { name?: string; arguments?: string } | undefined) ?? {};
        p.message.function_call = { name: fc.name ?? prev.name, arguments: (prev.arguments ?? "") + (fc.arguments ?? "") };
      } else if (CONCATENATED.has(k) && typeof v === "string") {
        p.message[k] = ((p.message[k] as string | null) ?? "") + v;
      } else {
        // role, a reasoning signature (the whole signature so far), a provider's extra field: the last one stands.
        p.message[k] = v;
      }
    }
  }
}

function mergeToolCall(calls: Obj[], piece: Obj): void {
  const i = typeof piece.index === "number" ? piece.index : calls.length;
  const { index: _i, ...rest } = piece;
  const call = calls[i];
  if (!call) {
    const fn = rest.function as Obj | undefined;
    const custom = rest.custom as Obj | undefined;
    calls[i] = { ...rest, ...(fn ? { function: { name: fn.name, arguments: fn.arguments ?? "" } } : {}), ...(custom ? { custom: { name: custom.name, input: custom.input ?? "" } } : {}) };
    return;
  }
  for (const [k, v] of Object.entries(rest)) {
    if (k === "function" || k === "custom") {
      const text = k === "function" ? "arguments" : "input";
      const prev = (call[k] as Obj | undefined) ?? {};
      const add = v as Obj;
      call[k] = { ...prev, ...(add.name ? { name: add.name } : {}), [text]: String(prev[text] ?? "") + String(add[text] ?? "") };
    } else if (v !== undefined) {
      call[k] = v;
    }
  }
}
