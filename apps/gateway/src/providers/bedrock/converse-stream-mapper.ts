// Bedrock ConverseStream events -> OpenAI chat chunks: text deltas, tool calls (one OpenAI index per toolUse
// block), the finish reason at messageStop and a usage chunk from the closing metadata event.
import type { ConverseStreamOutput } from "@aws-sdk/client-bedrock-runtime";
import type { ChatCall, ChatCompletionChunk, ChunkEvent } from "../../core/provider-contract";
import { UpstreamError } from "../../core/upstream-error";
import { malformedStop, mapBedrockUsage, mapStopReason, type FinishReason } from "./map-converse-response";

export class ConverseStreamMapper {
  private readonly base: { id: string; object: "chat.completion.chunk"; created: number; model: string };
  private started = false;
  private finish?: FinishReason;
  private done = false;
  /** Bedrock content block index -> OpenAI tool_calls index. */
  private readonly toolIndex = new Map<number, number>();

  constructor(call: ChatCall, id: string) {
    this.base = { id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: call.upstreamModel };
  }

  /** The chunks for one event (none for most bookkeeping events). Throws UpstreamError for an exception event. */
  map(event: ConverseStreamOutput): ChunkEvent[] {
    const out: ChunkEvent[] = [];
    if (!this.started && (event.messageStart || event.contentBlockStart || event.contentBlockDelta)) {
      this.started = true;
      out.push(this.chunk({ role: "assistant", content: "" }));
    }
    if (event.contentBlockStart?.start?.toolUse) {
      const { toolUseId, name } = event.contentBlockStart.start.toolUse;
      const index = this.toolIndex.size;
      this.toolIndex.set(event.contentBlockStart.contentBlockIndex ?? 0, index);
      out.push(this.chunk({ tool_calls: [{ index, id: toolUseId, type: "function", function: { name, arguments: "" } }] }));
    } else if (event.contentBlockDelta?.delta) {
      const delta = event.contentBlockDelta.delta;
      if (delta.text !== undefined && delta.text !== "") out.push(this.chunk({ content: delta.text }));
      else if (delta.toolUse?.input) {
        const index = this.toolIndex.get(event.contentBlockDelta.contentBlockIndex ?? 0) ?? 0;
        out.push(this.chunk({ tool_calls: [{ index, function: { arguments: delta.toolUse.input } }] }));
      }
    } else if (event.messageStop) {
      const malformed = malformedStop(event.messageStop.stopReason);
      if (malformed) throw malformed;
      this.finish = mapStopReason(event.messageStop.stopReason);
      out.push(this.chunk({}, this.finish));
    } else if (event.metadata) {
      this.done = true;
      // Always yielded: the chat encoder accounts it, and passes it on only to a client that asked for usage.
      out.push({ chunk: { ...this.base, choices: [], usage: mapBedrockUsage(event.metadata.usage) } as ChatCompletionChunk });
    } else {
      const failure = streamException(event);
      if (failure) throw failure;
    }
    return out;
  }

  /** A stream must end with messageStop (metadata follows it); one that stops before was cut. */
  end(): void {
    if (this.finish === undefined && !this.done) {
      throw new UpstreamError({ kind: "protocol", message: "Bedrock stream ended before messageStop" });
    }
  }

  private chunk(delta: Record<string, unknown>, finish: FinishReason | null = null): ChunkEvent {
    return { chunk: { ...this.base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] } as ChatCompletionChunk };
  }
}

const STREAM_EXCEPTIONS: Record<string, { status: number; retryable: boolean }> = {
  throttlingException: { status: 429, retryable: true },
  serviceUnavailableException: { status: 503, retryable: true },
  internalServerException: { status: 500, retryable: true },
  modelStreamErrorException: { status: 502, retryable: true },
  validationException: { status: 400, retryable: false },
};

function streamException(event: ConverseStreamOutput): UpstreamError | undefined {
  for (const [key, { status, retryable }] of Object.entries(STREAM_EXCEPTIONS)) {
    const e = (event as unknown as Record<string, { message?: string } | undefined>)[key];
    if (e) return new UpstreamError({ kind: "http", status, retryable, type: key, message: `Bedrock stream failed: ${e.message ?? key}` });
  }
  return undefined;
}
