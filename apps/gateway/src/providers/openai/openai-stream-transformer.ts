// OpenAI SSE -> chunks. Chunks pass through as their original JSON text, except those that carry nothing
// for the client (read-openai-chat.ts); an error event or a stream that ends without [DONE] becomes an
// error, never a silent truncation.
import type { ChatCompletionChunk, ChunkSink, SseEvent, StreamTransformer } from "../../core/provider-contract";
import { redactExcerpt } from "../../core/redact-secrets";
import { UpstreamError } from "../../core/upstream-error";
import { readChatChunk } from "./read-openai-chat";

export function createOpenAIStreamTransformer(): StreamTransformer {
  let done = false;
  /** The id, object, created and model of the stream's first chunk with an id: what an annotation's blank ones become. */
  let envelope: Pick<ChatCompletionChunk, "id" | "object" | "created" | "model"> | undefined;
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
      // A chunk that carries nothing for the client (Azure's content filter annotations, or only an unusable
      // usage report, the stream then accounted by estimate) is dropped.
      if (!read) return;
      const chunk = read.chunk;
      if (chunk.id) envelope ??= { id: chunk.id, object: chunk.object, created: chunk.created, model: chunk.model };
      else if (chunk.id === "" && envelope) {
        // Azure's annotation that ends a filtered reply (finish_reason content_filter) has an empty id, object
        // and model: it is told as a chunk of the completion it ends.
        Object.assign(chunk, envelope);
        sink.enqueue({ chunk });
        return;
      }
      sink.enqueue({ chunk, raw: read.rawIsExact ? data : undefined });
    },
    flush(sink: ChunkSink) {
      if (!done) sink.error(new UpstreamError({ kind: "protocol", message: "upstream stream ended before [DONE]" }));
    },
  };
}
