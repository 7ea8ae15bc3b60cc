// OpenAI SSE -> chunks. Chunks pass through as their original JSON text; an error event or a
// stream that ends without [DONE] becomes an error, never a silent truncation.
import type { ChatCompletionChunk, ChunkSink, SseEvent, StreamTransformer } from "../../core/provider-contract";
import { redactExcerpt } from "../../core/redact-secrets";
import { UpstreamError } from "../../core/upstream-error";
import { readChatChunk } from "./read-openai-chat";

export function createOpenAIStreamTransformer(): StreamTransformer {
  let done = false;
  return {
    transform(event: SseEvent, sink: ChunkSink) {
      if (done) return;
      const data = event.data;
      if (data === "[DONE]") {
        done = true;
        return;
      }
      let parsed: ChatCompletionChunk & { error?: { message?: string; type?: string; code?: string } };
      try {
        parsed = JSON.parse(data);
      } catch {
        sink.error(new UpstreamError({ kind: "protocol", message: "malformed stream chunk (not JSON)" }));
        return;
      }
      if (parsed && typeof parsed === "object" && parsed.error) {
        const e = parsed.error;
        const overloaded = e.type === "overloaded_error" || e.code === "overloaded";
        sink.error(
          new UpstreamError({
            kind: "http",
            status: overloaded ? 503 : 500,
            type: overloaded ? "overloaded_error" : typeof e.type === "string" ? e.type : "api_error",
            code: typeof e.code === "string" ? e.code : null,
            message: typeof e.message === "string" ? redactExcerpt(e.message, 500) : "error event in stream", // redacted before the cut
          }),
        );
        return;
      }
      let read: ReturnType<typeof readChatChunk>;
      try {
        read = readChatChunk(parsed);
      } catch (err) {
        sink.error(err as UpstreamError);
        return;
      }
      // A chunk that only carried an unusable usage report is dropped; the stream is then accounted by estimate.
      if (read) sink.enqueue({ chunk: read.chunk, raw: read.rawIsExact ? data : undefined });
    },
    flush(sink: ChunkSink) {
      if (!done) sink.error(new UpstreamError({ kind: "protocol", message: "upstream stream ended before [DONE]" }));
    },
  };
}
