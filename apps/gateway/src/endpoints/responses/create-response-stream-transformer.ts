// OpenAI chat.completion.chunks -> the Responses API's event stream, for providers without the Responses API.
//
// Every event is named (`event:` is its `type`) and numbered (`sequence_number` from 0). The stream opens with
// response.created and response.in_progress, whatever the first chunk holds. Reasoning, text (or a refusal)
// and each tool call are output items: an item opens with response.output_item.added (a message also with
// response.content_part.added), grows by deltas, and closes with its .done events and
// response.output_item.done. Reasoning and text are one item at a time (a new kind closes the open one); tool
// calls may interleave, as chat streams them, since every delta names its output_index. A reasoning item
// collects the provider's thinking blocks (reasoning text with its signature, redacted blocks) and, when it
// closes, carries them in `encrypted_content` (reasoning-encrypted-content.ts). At the end of the
// upstream stream every open item is closed and response.completed (or response.incomplete, after `length` or
// `content_filter`, whose function calls are then `incomplete` too) carries the whole response with its usage
// (the estimates, flagged `usageEstimated`, when the upstream reported none). An upstream failure after the start ends with
// response.failed alone: no .done event for an item cut short (a client must not run half a function call), the
// output so far with those items `incomplete`, the error, and no usage (accounting estimates it).
import { tokensForChars } from "../../core/estimate-tokens";
import type { ChatCompletionChunk, SseEvent, Usage } from "../../core/provider-contract";
import { mapFinishReason } from "./map-finish-reason";
import { toResponseUsage } from "./map-usage";
import { encodeThinkingBlocks, type ThinkingBlock } from "./reasoning-encrypted-content";
import type { NewId } from "./response-ids";
import type { ResponseObject, ResponseOutputItem } from "./responses-types";

export interface ResponseEventSink {
  enqueue(event: SseEvent): void;
}

export interface ResponseStreamTransformer {
  transform(chunk: ChatCompletionChunk, sink: ResponseEventSink): void;
  /** The upstream stream completed: close what is open and end the response. */
  flush(sink: ResponseEventSink): void;
  /** The upstream failed mid-stream: close what is open as incomplete and end with response.failed, carrying the output so far. */
  fail(sink: ResponseEventSink, error: { code: string; message: string }): void;
}

export interface ResponseStreamOptions {
  /** The response's top-level fields (response-shell.ts). */
  shell: ResponseObject;
  newId: NewId;
  /** The prompt's estimated tokens, reported when the upstream sent no usage. */
  inputTokensEstimate?: number;
}

type Delta = ChatCompletionChunk["choices"][number]["delta"];

interface OpenItem {
  index: number;
  item: Record<string, unknown>;
  /** reasoning: reasoning_text; message: output_text or refusal; function_call: its arguments. */
  kind: "reasoning" | "output_text" | "refusal" | "function_call";
  text: string;
  /** reasoning: the provider's thinking blocks as they stream (a thinking block's signature comes last). */
  blocks?: ThinkingBlock[];
}

export function createResponseStreamTransformer(opts: ResponseStreamOptions): ResponseStreamTransformer {
  const { shell, newId } = opts;
  let seq = 0;
  let started = false;
  const output: ResponseOutputItem[] = [];
  /** The open reasoning or message item. */
  let open: OpenItem | undefined;
  /** Tool calls by their chat index, open until the choice finishes. */
  const calls = new Map<number, OpenItem>();
  let finish: string | null = null;
  let usage: Usage | undefined;
  let outputChars = 0;

  const emit = (sink: ResponseEventSink, type: string, fields: Record<string, unknown>) =>
    sink.enqueue({ event: type, data: JSON.stringify({ type, sequence_number: seq++, ...fields }) });

  const start = (sink: ResponseEventSink) => {
    if (started) return;
    started = true;
    emit(sink, "response.created", { response: shell });
    emit(sink, "response.in_progress", { response: shell });
  };

  const add = (sink: ResponseEventSink, item: Record<string, unknown>, kind: OpenItem["kind"]): OpenItem => {
    const o: OpenItem = { index: output.length, item, kind, text: "" };
    output.push(item as ResponseOutputItem);
    emit(sink, "response.output_item.added", { output_index: o.index, item });
    return o;
  };

  const part = (o: OpenItem) =>
    o.kind === "reasoning" ? { type: "reasoning_text", text: o.text } : o.kind === "refusal" ? { type: "refusal", refusal: o.text } : { type: "output_text", text: o.text, annotations: [], logprobs: [] };

  const openText = (sink: ResponseEventSink, kind: "reasoning" | "output_text" | "refusal"): OpenItem => {
    if (open?.kind === kind) return open;
    closeOpen(sink);
    const id = newId(kind === "reasoning" ? "rs" : "msg");
    const item = kind === "reasoning" ? { id, type: "reasoning", summary: [], content: [] } : { id, type: "message", status: "in_progress", role: "assistant", content: [] };
    open = add(sink, item, kind);
    const empty = { ...open, text: "" };
    emit(sink, "response.content_part.added", { item_id: id, output_index: open.index, content_index: 0, part: part(empty) });
    return open;
  };

  const closeOpen = (sink: ResponseEventSink) => {
    if (!open) return;
    const o = open;
    open = undefined;
    const id = o.item.id as string;
    const at = { item_id: id, output_index: o.index, content_index: 0 };
    if (o.kind === "reasoning") emit(sink, "response.reasoning_text.done", { ...at, text: o.text });
    else if (o.kind === "refusal") emit(sink, "response.refusal.done", { ...at, refusal: o.text });
    else emit(sink, "response.output_text.done", { ...at, text: o.text, logprobs: [] });
    emit(sink, "response.content_part.done", { ...at, part: part(o) });
    const done = { ...o.item, content: [part(o)], ...(o.kind === "reasoning" ? encrypted(o) : { status: mapFinishReason(finish).status }) };
    output[o.index] = done as ResponseOutputItem;
    emit(sink, "response.output_item.done", { output_index: o.index, item: done });
  };

  /** A closed reasoning item's thinking blocks, when they are complete enough to be sent back (signed, or redacted). */
  const encrypted = (o: OpenItem): { encrypted_content?: string } => {
    const blocks = (o.blocks ?? []).filter((b) => b.type === "redacted_thinking" || (typeof b.signature === "string" && b.signature !== ""));
    return blocks.length ? { encrypted_content: encodeThinkingBlocks(blocks) } : {};
  };

  const onThinking = (sink: ResponseEventSink, delta: Delta) => {
    if (!delta.reasoning_content && !delta.reasoning_signature && !delta.thinking_blocks?.length) return;
    const o = openText(sink, "reasoning");
    const blocks = (o.blocks ??= []);
    if (delta.reasoning_content) {
      const last = blocks.at(-1);
      // Text after a signed (or redacted) block is the next block's.
      if (last?.type === "thinking" && !last.signature) last.thinking = (last.thinking ?? "") + delta.reasoning_content;
      else blocks.push({ type: "thinking", thinking: delta.reasoning_content, signature: "" });
    }
    if (delta.reasoning_signature) {
      const last = blocks.at(-1);
      if (last?.type === "thinking") last.signature = (last.signature ?? "") + delta.reasoning_signature;
      else blocks.push({ type: "thinking", thinking: "", signature: delta.reasoning_signature });
    }
    for (const b of delta.thinking_blocks ?? []) blocks.push({ ...b });
  };

  const onToolDelta = (sink: ResponseEventSink, piece: NonNullable<Delta["tool_calls"]>[number]) => {
    const key = piece.index ?? 0;
    let call = calls.get(key);
    if (!call) {
      closeOpen(sink);
      const item = { id: newId("fc"), type: "function_call", status: "in_progress", call_id: piece.id || newId("fc"), name: piece.function?.name ?? "", arguments: "" };
      call = add(sink, item, "function_call");
      calls.set(key, call);
    }
    const fragment = piece.function?.arguments;
    if (!fragment) return;
    call.text += fragment;
    emit(sink, "response.function_call_arguments.delta", { item_id: call.item.id, output_index: call.index, delta: fragment });
  };

  const closeAll = (sink: ResponseEventSink) => {
    closeOpen(sink);
    for (const call of calls.values()) {
      emit(sink, "response.function_call_arguments.done", { item_id: call.item.id, output_index: call.index, name: call.item.name, arguments: call.text });
      const done = { ...call.item, status: mapFinishReason(finish).status, arguments: call.text };
      output[call.index] = done as ResponseOutputItem;
      emit(sink, "response.output_item.done", { output_index: call.index, item: done });
    }
    calls.clear();
  };

  return {
    transform(chunk, sink) {
      start(sink);
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices.find((c) => c.index === 0) ?? (chunk.choices.length === 1 ? chunk.choices[0] : undefined);
      if (!choice) return;
      const delta = (choice.delta ?? {}) as Delta;
      onThinking(sink, delta);
      if (delta.reasoning_content) {
        const o = openText(sink, "reasoning");
        o.text += delta.reasoning_content;
        outputChars += delta.reasoning_content.length;
        emit(sink, "response.reasoning_text.delta", { item_id: o.item.id, output_index: o.index, content_index: 0, delta: delta.reasoning_content });
      }
      if (delta.refusal) {
        const o = openText(sink, "refusal");
        o.text += delta.refusal;
        outputChars += delta.refusal.length;
        emit(sink, "response.refusal.delta", { item_id: o.item.id, output_index: o.index, content_index: 0, delta: delta.refusal });
      } else if (delta.content) {
        const o = openText(sink, "output_text");
        o.text += delta.content;
        outputChars += delta.content.length;
        emit(sink, "response.output_text.delta", { item_id: o.item.id, output_index: o.index, content_index: 0, delta: delta.content, logprobs: [] });
      }
      for (const piece of delta.tool_calls ?? []) {
        outputChars += piece.function?.arguments?.length ?? 0;
        onToolDelta(sink, piece);
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    },

    flush(sink) {
      start(sink);
      closeAll(sink);
      const { status, incomplete_details } = mapFinishReason(finish);
      // An upstream that reported no usage (a compatible server without stream_options) leaves the estimates.
      const u = usage ? toResponseUsage(usage) : toResponseUsage({ prompt_tokens: opts.inputTokensEstimate ?? 0, completion_tokens: tokensForChars(outputChars) });
      const type = status === "completed" ? "response.completed" : "response.incomplete";
      const data = JSON.stringify({ type, sequence_number: seq++, response: { ...shell, status, incomplete_details, output, usage: u } });
      sink.enqueue({ event: type, data, ...(usage ? {} : { usageEstimated: true as const }) });
    },

    fail(sink, error) {
      start(sink);
      const cut = output.slice();
      if (open) cut[open.index] = { ...open.item, content: [part(open)], ...(open.kind === "reasoning" ? {} : { status: "incomplete" }) } as ResponseOutputItem;
      for (const call of calls.values()) cut[call.index] = { ...call.item, status: "incomplete", arguments: call.text } as ResponseOutputItem;
      emit(sink, "response.failed", { response: { ...shell, status: "failed", error, output: cut, usage: null } });
    },
  };
}
