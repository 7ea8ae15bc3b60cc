// The built-in, in-process `mock` provider: lets anyone try Runestone with no keys at all.
import { randomUUID } from "node:crypto";
import type { ChatCall, ChatCompletion, ChatCompletionChunk, ChunkEvent, Provider, Usage } from "../../core/provider-contract";
import { UpstreamError } from "../../core/upstream-error";
import { mockReply, type MockReply } from "./mock-reply";

export class MockProvider implements Provider {
  readonly kind = "mock" as const;
  readonly configured = true;

  constructor(
    readonly id: string,
    private readonly chunkDelayMs = 0,
  ) {}

  async complete(call: ChatCall, signal: AbortSignal): Promise<ChatCompletion> {
    if (signal.aborted) throw new UpstreamError({ kind: "aborted", message: "request aborted" });
    const r = mockReply(call);
    return {
      id: `chatcmpl-mock-${randomUUID()}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: call.upstreamModel,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: r.content,
            refusal: null,
            ...(r.toolCall ? { tool_calls: [{ id: r.toolCall.id, type: "function", function: { name: r.toolCall.name, arguments: r.toolCall.arguments } }] } : {}),
          },
          logprobs: null,
          finish_reason: r.finishReason,
        },
      ],
      usage: usageOf(r),
      system_fingerprint: "runestone-mock",
    } as ChatCompletion;
  }

  async stream(call: ChatCall, signal: AbortSignal): Promise<AsyncIterable<ChunkEvent>> {
    if (signal.aborted) throw new UpstreamError({ kind: "aborted", message: "request aborted" });
    return this.chunks(call, mockReply(call), signal);
  }

  private async *chunks(call: ChatCall, r: MockReply, signal: AbortSignal): AsyncGenerator<ChunkEvent> {
    const base = { id: `chatcmpl-mock-${randomUUID()}`, object: "chat.completion.chunk" as const, created: Math.floor(Date.now() / 1000), model: call.upstreamModel };
    const chunk = (delta: Record<string, unknown>, finish: string | null = null): ChunkEvent => ({
      chunk: { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] } as ChatCompletionChunk,
    });
    yield chunk({ role: "assistant", content: "" });
    if (r.toolCall) {
      yield chunk({ tool_calls: [{ index: 0, id: r.toolCall.id, type: "function", function: { name: r.toolCall.name, arguments: "" } }] });
      for (const piece of r.toolCall.arguments.match(/.{1,12}/gs) ?? []) {
        await this.pause(signal);
        yield chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
      }
    } else {
      for (const word of (r.content ?? "").split(/(?<=\s)/)) {
        await this.pause(signal);
        yield chunk({ content: word });
      }
    }
    yield chunk({}, r.finishReason);
    yield { chunk: { ...base, choices: [], usage: usageOf(r) } as ChatCompletionChunk };
  }

  private async pause(signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new UpstreamError({ kind: "aborted", message: "request aborted" });
    if (this.chunkDelayMs > 0) await new Promise((r) => setTimeout(r, this.chunkDelayMs));
  }
}

function usageOf(r: MockReply): Usage {
  return {
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    total_tokens: r.promptTokens + r.completionTokens,
    prompt_tokens_details: { cached_tokens: 0 },
  } as Usage;
}
