// OpenAI chat.completion.chunks -> Anthropic's Messages stream events.
import type { ChatCompletionChunk, SseEvent, Usage } from "../../core/provider-contract";
import { tokensForChars } from "../../core/estimate-tokens";
import { mapFinishReason } from "./map-finish-reason";
import { mapUsageToAnthropic } from "./map-usage-to-anthropic";

export interface MessageEventSink {
  enqueue(event: SseEvent): void;
}

export interface MessageStreamTransformer {
  transform(chunk: ChatCompletionChunk, sink: MessageEventSink): void;
  /** The upstream stream completed: close what is open and end the message. */
  flush(sink: MessageEventSink): void;
}

interface ToolState {
  id: string;
  name: string;
  args: string;
  /** Fragments that arrived while another block was open; sent when this call's block opens. */
  buffered: string[];
  phase: "pending" | "open" | "closed";
  blockIndex?: number;
}

type Open = { kind: "text" | "thinking"; index: number } | { kind: "tool"; index: number; tool: ToolState };

type Delta = ChatCompletionChunk["choices"][number]["delta"];

export interface MessageStreamOptions {
  /**
   * The prompt's estimated tokens (the estimate admission used): `message_start` carries it as `input_tokens`, as
   * Anthropic's own streams carry the prompt count there (LangChain reads it from there), since the upstream's
   * exact count only comes at the end; `message_delta` then carries the exact counts.
   */
  inputTokensEstimate?: number;
}

/**
 * Anthropic streams one content block at a time, OpenAI may interleave the argument fragments of parallel tool
 * calls. So a call that starts while another call's arguments are still incomplete JSON waits (its fragments
 * buffered) until the open call's arguments parse, or until the choice finishes; then it gets its block and its
 * fragments, each as its own `input_json_delta`. `message_start` always comes first, whatever the first chunk
 * holds; `message_delta` (stop reason and usage, which OpenAI sends after the finish chunk) and `message_stop`
 * come at the end of the upstream stream.
 */
export function createMessageStreamTransformer(publicModel: string, opts: MessageStreamOptions = {}): MessageStreamTransformer {
  let started = false;
  let nextIndex = 0;
  let open: Open | undefined;
  const tools = new Map<number, ToolState>();
  const pending: ToolState[] = [];
  let stopReason: ReturnType<typeof mapFinishReason> = "end_turn";
  let refused = false;
  let usage: Usage | undefined;
  let outputChars = 0;

  const emit = (sink: MessageEventSink, type: string, payload: Record<string, unknown> = {}) =>
    sink.enqueue({ event: type, data: JSON.stringify({ type, ...payload }) });

  const start = (sink: MessageEventSink, chunk: Partial<ChatCompletionChunk>) => {
    if (started) return;
    started = true;
    emit(sink, "message_start", {
      message: {
        id: chunk.id ?? "msg_runestone",
        type: "message",
        role: "assistant",
        model: chunk.model || publicModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: opts.inputTokensEstimate ?? 0, output_tokens: 0 },
      },
    });
  };

  const close = (sink: MessageEventSink) => {
    if (!open) return;
    if (open.kind === "tool") open.tool.phase = "closed";
    emit(sink, "content_block_stop", { index: open.index });
    open = undefined;
  };

  const openText = (sink: MessageEventSink, kind: "text" | "thinking") => {
    if (open?.kind === kind) return open.index;
    close(sink);
    open = { kind, index: nextIndex++ };
    emit(sink, "content_block_start", {
      index: open.index,
      content_block: kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" },
    });
    return open.index;
  };

  const argsDelta = (sink: MessageEventSink, index: number, partial: string) =>
    emit(sink, "content_block_delta", { index, delta: { type: "input_json_delta", partial_json: partial } });

  const openTool = (sink: MessageEventSink, tool: ToolState) => {
    close(sink);
    tool.phase = "open";
    tool.blockIndex = nextIndex++;
    open = { kind: "tool", index: tool.blockIndex, tool };
    emit(sink, "content_block_start", { index: tool.blockIndex, content_block: { type: "tool_use", id: tool.id, name: tool.name, input: {} } });
    for (const piece of tool.buffered) argsDelta(sink, tool.blockIndex, piece);
    tool.buffered = [];
  };

  /** While the open call's arguments are complete JSON, hand the block over to the next waiting call. */
  const promote = (sink: MessageEventSink, force: boolean) => {
    while (pending.length > 0 && (force || open?.kind !== "tool" || isCompleteJson(open.tool.args))) {
      openTool(sink, pending.shift()!);
    }
  };

  const onToolDelta = (sink: MessageEventSink, piece: NonNullable<Delta["tool_calls"]>[number]) => {
    const key = piece.index ?? 0;
    let tool = tools.get(key);
    if (!tool) {
      tool = { id: piece.id || `call_${key}`, name: piece.function?.name ?? "", args: "", buffered: [], phase: "pending" };
      tools.set(key, tool);
      if (open?.kind === "tool" && !isCompleteJson(open.tool.args)) pending.push(tool);
      else if (pending.length > 0) pending.push(tool);
      else openTool(sink, tool);
    }
    const fragment = piece.function?.arguments;
    if (!fragment) return;
    tool.args += fragment;
    if (tool.phase === "open") {
      argsDelta(sink, tool.blockIndex!, fragment);
      promote(sink, false);
    } else if (tool.phase === "pending") {
      tool.buffered.push(fragment);
    }
  };

  const finishBlocks = (sink: MessageEventSink) => {
    promote(sink, true);
    close(sink);
  };

  return {
    transform(chunk, sink) {
      start(sink, chunk);
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices.find((c) => c.index === 0) ?? (chunk.choices.length === 1 ? chunk.choices[0] : undefined);
      if (!choice) return;
      const delta = (choice.delta ?? {}) as Delta;
      outputChars += (delta.reasoning_content?.length ?? 0) + (delta.content?.length ?? 0) + (delta.refusal?.length ?? 0);
      for (const t of delta.tool_calls ?? []) outputChars += t.function?.arguments?.length ?? 0;
      if (delta.reasoning_content) {
        const index = openText(sink, "thinking");
        emit(sink, "content_block_delta", { index, delta: { type: "thinking_delta", thinking: delta.reasoning_content } });
      }
      const text = delta.content || delta.refusal;
      if (text) {
        if (delta.refusal) refused = true;
        const index = openText(sink, "text");
        emit(sink, "content_block_delta", { index, delta: { type: "text_delta", text } });
      }
      for (const piece of delta.tool_calls ?? []) onToolDelta(sink, piece);
      if (choice.finish_reason) {
        stopReason = mapFinishReason(choice.finish_reason);
        finishBlocks(sink);
      }
    },

    flush(sink) {
      start(sink, {});
      finishBlocks(sink);
      const delta = {
        type: "message_delta",
        delta: { stop_reason: refused ? "refusal" : stopReason, stop_sequence: null },
        // Cumulative, as Anthropic's current streams send it. An upstream that reported no usage (a compatible
        // server without stream_options) leaves the estimates: the prompt's and the streamed characters'.
        usage: usage ? mapUsageToAnthropic(usage) : { input_tokens: opts.inputTokensEstimate ?? 0, output_tokens: tokensForChars(outputChars) },
      };
      sink.enqueue({ event: "message_delta", data: JSON.stringify(delta), ...(usage ? {} : { usageEstimated: true as const }) });
      emit(sink, "message_stop");
    },
  };
}

function isCompleteJson(text: string): boolean {
  if (!text) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
