// Helpers for the reverse-translation golden tests: load fixtures, decode recorded OpenAI SSE into chunks, and
// run chunks through the Messages stream transformer into SSE text as the route writes it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createParser } from "eventsource-parser";
import type { ChatCompletionChunk, SseEvent } from "../../../core/provider-contract";
import { createMessageStreamTransformer } from "../create-message-stream-transformer";
import type { ChatTarget, MessagesRequest } from "../messages-types";

const here = import.meta.dirname;

export function readFixture(name: string): string {
  return readFileSync(join(here, name), "utf8");
}

export function loadJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFixture(name)) as T;
}

/** An Anthropic request and the chat request an OpenAI-shaped deployment of `target` must receive. */
export interface ReverseRequestCase {
  target: ChatTarget;
  anthropic: MessagesRequest & Record<string, unknown>;
  openai: Record<string, unknown>;
}

export const requestCases = ["tool-only-assistant-turn", "three-parallel-tool-results", "system-and-sampling", "tool-schema-defs", "images-and-pdf", "thinking-tool-use-history", "tool-result-with-image"] as const;

/** The chunks of an OpenAI SSE recording, up to `[DONE]`. */
export function decodeChunks(text: string): ChatCompletionChunk[] {
  const chunks: ChatCompletionChunk[] = [];
  const parser = createParser({
    onEvent(event) {
      if (event.data !== "[DONE]") chunks.push(JSON.parse(event.data) as ChatCompletionChunk);
    },
  });
  parser.feed(text);
  return chunks;
}

/** The prompt estimate the recordings are transformed with: message_start reports it as input_tokens. */
export const RECORDING_PROMPT_ESTIMATE = 17;

/** Runs a whole recording through the transformer; returns the SSE text a client would read. */
export function transformRecording(name: string, publicModel = "gpt-4o-mini"): string {
  const transformer = createMessageStreamTransformer(publicModel, { inputTokensEstimate: RECORDING_PROMPT_ESTIMATE });
  const events: SseEvent[] = [];
  const sink = { enqueue: (e: SseEvent) => void events.push(e) };
  for (const chunk of decodeChunks(readFixture(name))) transformer.transform(chunk, sink);
  transformer.flush(sink);
  return events.map((e) => `event: ${e.event}\ndata: ${e.data}\n\n`).join("");
}
