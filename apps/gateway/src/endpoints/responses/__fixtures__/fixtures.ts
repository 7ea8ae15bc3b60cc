// Helpers for the Responses translation golden tests: load fixtures, decode recorded OpenAI chat SSE into
// chunks, run chunks through the Responses stream transformer into SSE text as the route writes it, and make
// ids and timestamps predictable.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createParser } from "eventsource-parser";
import type { ChatCompletionChunk, SseEvent } from "../../../core/provider-contract";
import { createResponseStreamTransformer } from "../create-response-stream-transformer";
import type { NewId } from "../response-ids";
import { responseShell } from "../response-shell";
import type { ResponseObject, ResponsesBody } from "../responses-types";

const here = import.meta.dirname;

export function readFixture(name: string): string {
  return readFileSync(join(here, name), "utf8");
}

export function loadJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFixture(name)) as T;
}

/** A Responses request and the chat request a translated deployment must receive. */
export interface RequestCase {
  responses: ResponsesBody;
  chat: Record<string, unknown>;
}

/** Ids `resp_1`, `msg_2`, `fc_3`, ... in the order they are made. */
export function counterIds(): NewId {
  let n = 0;
  return (prefix) => `${prefix}_${++n}`;
}

export function shellFor(body: ResponsesBody, newId: NewId): ResponseObject {
  return responseShell(body, { id: newId("resp"), createdAt: 1735689600, model: "claude-sonnet-4-5", provider: "anthropic", routingPolicy: "default", requestId: "req_1" });
}

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

/** The SSE text the route writes for `chunks`: then the stream's end, its failure with `failure`, or nothing with `"cut"`. */
export function translateChunks(chunks: ChatCompletionChunk[], body: ResponsesBody, end: "complete" | "cut" | { code: string; message: string } = "complete"): string {
  const newId = counterIds();
  const t = createResponseStreamTransformer({ shell: shellFor(body, newId), newId, inputTokensEstimate: 7 });
  const out: SseEvent[] = [];
  const sink = { enqueue: (e: SseEvent) => void out.push(e) };
  for (const c of chunks) t.transform(c, sink);
  if (end === "complete") t.flush(sink);
  else if (end !== "cut") t.fail(sink, end);
  return out.map((e) => `event: ${e.event}\ndata: ${e.data}\n\n`).join("");
}
