import type { ChatCall, ChatCompletionChunk, ChunkSink, SseEvent, StreamTransformer } from "../../core/provider-contract";
import { UpstreamError } from "../../core/upstream-error";
import type { AnthropicStreamEvent, AnthropicUsage } from "./anthropic-types";
import { getJsonResponseTool } from "./get-json-response-tool";
import { mapAnthropicStopReason } from "./map-anthropic-stop-reason";
import { readAnthropicUsage } from "./map-anthropic-usage";
import type { OpenAIRequestView } from "./openai-input-types";
import { anthropicStreamError } from "./parse-anthropic-error";

type Delta = ChatCompletionChunk["choices"][number]["delta"] & {
  reasoning_signature?: string;
  thinking_blocks?: Array<{ type: "redacted_thinking"; data: string }>;
};

/** What an Anthropic content block (by its stream index) turned into on our side. */
type BlockState =
  | { kind: "text" }
  | { kind: "thinking" }
  | { kind: "tool"; toolIndex: number; sentArguments: boolean }
  | { kind: "answer"; sentArguments: boolean }
  | { kind: "ignored" };

/**
 * Anthropic SSE events -> `chat.completion.chunk`s.
 *
 * Tool calls get OpenAI indexes 0, 1, 2 in the order their tool_use blocks start, whatever the content block
 * index, so argument fragments of interleaved calls land on the right call. Thinking comes out as
 * `reasoning_content` deltas with the block's signature as `reasoning_signature` (a Runestone extra), so a
 * client can send the turn back. The finish chunk and the usage chunk go out at `message_stop`, never
 * earlier, so a stream that fails after `message_delta` does not look complete first.
 */
export function createAnthropicStreamTransformer(call: ChatCall): StreamTransformer {
  const responseTool = getJsonResponseTool(call.body as OpenAIRequestView)?.name;
  const created = Math.floor(Date.now() / 1000);
  let id = `chatcmpl-${call.requestId}`;
  let model = call.upstreamModel;
  let started = false;
  let finished = false;
  let failed = false;
  let stopReason: string | null | undefined;
  let usage: AnthropicUsage = {};
  let toolCount = 0;
  let answered = false;
  const blocks = new Map<number, BlockState>();

  const chunk = (delta: Delta, finishReason: ChatCompletionChunk["choices"][number]["finish_reason"] = null): ChatCompletionChunk => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const emit = (sink: ChunkSink, delta: Delta) => sink.enqueue({ chunk: chunk(delta), raw: undefined });
  const fail = (sink: ChunkSink, error: UpstreamError) => {
    failed = true;
    sink.error(error);
  };
  const start = (sink: ChunkSink) => {
    if (started) return;
    started = true;
    emit(sink, { role: "assistant", content: "" });
  };

  return {
    transform(event: SseEvent, sink: ChunkSink): void {
      if (failed || finished) return;
      if (event.event === "ping") return;
      let data: AnthropicStreamEvent;
      try {
        data = JSON.parse(event.data) as AnthropicStreamEvent;
      } catch {
        fail(sink, protocolError("upstream sent a stream event that is not valid JSON"));
        return;
      }
      if (data === null || typeof data !== "object") {
        fail(sink, protocolError("upstream sent a stream event that is not a JSON object"));
        return;
      }
      const type = data.type ?? event.event;

      switch (type) {
        case "message_start": {
          const message = data.message ?? {};
          if (message.id) id = message.id;
          if (message.model) model = message.model;
          usage = typeof message.usage === "object" && message.usage !== null ? { ...message.usage } : {};
          start(sink);
          return;
        }
        case "content_block_start": {
          start(sink);
          const index = data.index ?? -1;
          const block = data.content_block ?? {};
          if (block.type === "text") {
            blocks.set(index, { kind: "text" });
            if (block.text && responseTool === undefined) emit(sink, { content: block.text });
          } else if (block.type === "thinking") {
            blocks.set(index, { kind: "thinking" });
            if (block.thinking) emit(sink, { reasoning_content: block.thinking });
          } else if (block.type === "redacted_thinking") {
            blocks.set(index, { kind: "ignored" });
            emit(sink, { thinking_blocks: [{ type: "redacted_thinking", data: block.data ?? "" }] });
          } else if (block.type === "tool_use" && responseTool !== undefined && block.name === responseTool) {
            blocks.set(index, { kind: "answer", sentArguments: false });
            answered = true;
          } else if (block.type === "tool_use") {
            const toolIndex = toolCount++;
            blocks.set(index, { kind: "tool", toolIndex, sentArguments: false });
            emit(sink, {
              tool_calls: [{ index: toolIndex, id: block.id ?? "", type: "function", function: { name: block.name ?? "", arguments: "" } }],
            });
          } else {
            blocks.set(index, { kind: "ignored" });
          }
          return;
        }
        case "content_block_delta": {
          const state = blocks.get(data.index ?? -1);
          const delta = data.delta ?? {};
          if (!state) return;
          if (delta.type === "text_delta" && state.kind === "text") {
            if (delta.text && responseTool === undefined) emit(sink, { content: delta.text });
          } else if (delta.type === "thinking_delta" && state.kind === "thinking") {
            if (delta.thinking) emit(sink, { reasoning_content: delta.thinking });
          } else if (delta.type === "signature_delta" && state.kind === "thinking") {
            if (delta.signature) emit(sink, { reasoning_signature: delta.signature });
          } else if (delta.type === "input_json_delta" && delta.partial_json) {
            if (state.kind === "tool") {
              state.sentArguments = true;
              emit(sink, { tool_calls: [{ index: state.toolIndex, function: { arguments: delta.partial_json } }] });
            } else if (state.kind === "answer") {
              state.sentArguments = true;
              emit(sink, { content: delta.partial_json });
            }
          }
          return;
        }
        case "content_block_stop": {
          // A call without arguments streams no input_json_delta; OpenAI clients expect "{}" then.
          const state = blocks.get(data.index ?? -1);
          if (state?.kind === "tool" && !state.sentArguments) {
            emit(sink, { tool_calls: [{ index: state.toolIndex, function: { arguments: "{}" } }] });
          } else if (state?.kind === "answer" && !state.sentArguments) {
            emit(sink, { content: "{}" });
          }
          return;
        }
        case "message_delta": {
          if (data.delta && typeof data.delta === "object" && "stop_reason" in data.delta) stopReason = data.delta.stop_reason;
          usage = mergeUsage(usage, data.usage);
          return;
        }
        case "message_stop": {
          start(sink);
          finished = true;
          const finishReason = mapAnthropicStopReason(stopReason, answered && toolCount === 0);
          sink.enqueue({ chunk: chunk({}, finishReason), raw: undefined });
          // No usage chunk for an unusable report: the stream is then accounted by estimate.
          const reported = readAnthropicUsage(usage);
          if (call.clientWantsUsage && reported) {
            sink.enqueue({ chunk: { id, object: "chat.completion.chunk", created, model, choices: [], usage: reported }, raw: undefined });
          }
          return;
        }
        case "error":
          fail(sink, anthropicStreamError(data.error));
          return;
        default:
          // ping (when only its data names it) and event types Anthropic adds later.
          return;
      }
    },

    flush(sink: ChunkSink): void {
      if (failed || finished) return;
      fail(sink, protocolError("upstream stream ended before message_stop"));
    },
  };
}

/** `message_delta` usage is cumulative; its fields win over `message_start`'s where present. */
function mergeUsage(base: AnthropicUsage, update: AnthropicUsage | undefined): AnthropicUsage {
  if (!update || typeof update !== "object") return base;
  const merged: AnthropicUsage = { ...base };
  for (const key of ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"] as const) {
    if (typeof update[key] === "number") merged[key] = update[key];
  }
  return merged;
}

function protocolError(message: string): UpstreamError {
  return new UpstreamError({ kind: "protocol", message });
}
