import type { ChatCall, ChatCompletionChunk, ChunkSink, SseEvent, StreamTransformer } from "../../core/provider-contract";
import { UpstreamError } from "../../core/upstream-error";
import type { GeminiErrorBody, GeminiResponse, GeminiUsageMetadata } from "./gemini-types";
import { parseGeminiError } from "./parse-gemini-error";
import { mapGeminiFinishReason } from "./map-gemini-finish-reason";
import { readGeminiUsage } from "./map-gemini-usage";
import { geminiCallId } from "./parse-gemini-response";
import { idWithThoughtSignature } from "./thought-signature-id";

type FinishReason = ChatCompletionChunk["choices"][number]["finish_reason"];
type Delta = ChatCompletionChunk["choices"][number]["delta"];

interface CandidateState {
  toolCount: number;
  finishReason?: string;
}

/**
 * `streamGenerateContent?alt=sse` events -> `chat.completion.chunk`s. Every event is a whole
 * GenerateContentResponse holding the new parts; a function call arrives complete in one part, so it is
 * sent as one tool_calls delta with all its arguments. `usageMetadata` is cumulative (the last one wins).
 * Gemini has no end-of-stream event: the stream is complete when every candidate named a finishReason, and
 * the finish chunks and the usage chunk go out only when the body ends (flush), so a stream cut after the
 * last content does not look complete first. No finishReason at the end -> protocol error.
 */
export function createGeminiStreamTransformer(call: ChatCall): StreamTransformer {
  const created = Math.floor(Date.now() / 1000);
  let id = `chatcmpl-${call.requestId}`;
  let model = call.upstreamModel;
  let failed = false;
  let blocked = false;
  let usage: GeminiUsageMetadata | undefined;
  const candidates = new Map<number, CandidateState>();

  const chunk = (index: number, delta: Delta, finishReason: FinishReason = null): ChatCompletionChunk => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices: [{ index, delta, logprobs: null, finish_reason: finishReason }],
  });
  const emit = (sink: ChunkSink, index: number, delta: Delta) => sink.enqueue({ chunk: chunk(index, delta) });
  const fail = (sink: ChunkSink, message: string) => {
    failed = true;
    sink.error(new UpstreamError({ kind: "protocol", message }));
  };
  const candidate = (sink: ChunkSink, index: number): CandidateState => {
    let state = candidates.get(index);
    if (!state) {
      state = { toolCount: 0 };
      candidates.set(index, state);
      emit(sink, index, { role: "assistant", content: "" });
    }
    return state;
  };

  return {
    transform(event: SseEvent, sink: ChunkSink): void {
      if (failed) return;
      let data: GeminiResponse;
      try {
        data = JSON.parse(event.data) as GeminiResponse;
      } catch {
        fail(sink, "upstream sent a stream event that is not valid JSON");
        return;
      }
      if (data === null || typeof data !== "object" || Array.isArray(data)) {
        fail(sink, "upstream sent a stream event that is not a JSON object");
        return;
      }
      // An error inside a 200 stream (e.g. the model became overloaded) has the HTTP error's body shape.
      const error = (data as GeminiErrorBody).error;
      if (error && typeof error === "object") {
        failed = true;
        sink.error(parseGeminiError(typeof error.code === "number" && error.code >= 400 ? error.code : 500, {}, event.data));
        return;
      }
      if (data.responseId) id = `chatcmpl-${data.responseId}`;
      if (data.modelVersion) model = data.modelVersion;
      if (data.usageMetadata && typeof data.usageMetadata === "object") usage = data.usageMetadata;
      if (data.promptFeedback?.blockReason) blocked = true;

      (Array.isArray(data.candidates) ? data.candidates : []).forEach((c, i) => {
        const index = c.index ?? i;
        const state = candidate(sink, index);
        for (const part of c.content?.parts ?? []) {
          if (part.functionCall) {
            const toolIndex = state.toolCount++;
            emit(sink, index, {
              tool_calls: [
                {
                  index: toolIndex,
                  id: idWithThoughtSignature(part.functionCall.id ?? geminiCallId(call.requestId, index, toolIndex), part.thoughtSignature),
                  type: "function",
                  function: { name: part.functionCall.name ?? "", arguments: JSON.stringify(part.functionCall.args ?? {}) },
                },
              ],
            });
          } else if (typeof part.text === "string" && part.text !== "") {
            emit(sink, index, part.thought ? { reasoning_content: part.text } : { content: part.text });
          }
        }
        if (c.finishReason) state.finishReason = c.finishReason;
      });
    },

    flush(sink: ChunkSink): void {
      if (failed) return;
      if (blocked && candidates.size === 0) {
        // The prompt was refused before any candidate: an empty, filtered answer.
        candidate(sink, 0).finishReason = "SAFETY";
      }
      const states = [...candidates.entries()];
      if (states.length === 0 || states.some(([, s]) => s.finishReason === undefined)) {
        fail(sink, "upstream stream ended before a finishReason");
        return;
      }
      for (const [index, s] of states) sink.enqueue({ chunk: chunk(index, {}, mapGeminiFinishReason(s.finishReason, s.toolCount > 0)) });
      // No usage chunk for an unusable report: the stream is then accounted by estimate.
      const reported = readGeminiUsage(usage);
      if (call.clientWantsUsage && reported) {
        sink.enqueue({ chunk: { id, object: "chat.completion.chunk", created, model, choices: [], usage: reported } });
      }
    },
  };
}
