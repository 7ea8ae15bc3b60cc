// Helpers for the golden tests: load fixtures, build calls, decode recorded SSE and run the transformer.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createParser } from "eventsource-parser";
import type { ChatCall, ChatRequest, ChunkEvent, SseEvent, StreamTransformer } from "../../../core/provider-contract";
import type { UpstreamError } from "../../../core/upstream-error";

const here = import.meta.dirname;

export const UPSTREAM_MODEL = "claude-sonnet-4-5-20250929";
/** 2025-01-01T00:00:00Z, the frozen clock of the tests. */
export const NOW_SECONDS = 1735689600;

export function readFixture(name: string): string {
  return readFileSync(join(here, name), "utf8");
}

export function loadJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFixture(name)) as T;
}

export interface RequestCase {
  call?: Partial<ChatCall>;
  openai: Record<string, unknown>;
  anthropic: Record<string, unknown>;
}

export function makeCall(body: Record<string, unknown>, overrides: Partial<ChatCall> = {}): ChatCall {
  return {
    body: body as ChatRequest & Record<string, unknown>,
    upstreamModel: UPSTREAM_MODEL,
    publicModel: "claude-sonnet",
    stream: false,
    clientWantsUsage: false,
    requestId: "req_test",
    ...overrides,
  };
}

/** Decodes raw SSE text exactly as the HTTP layer would, with eventsource-parser. */
export function decodeSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createParser({
    onEvent(event) {
      events.push({ event: event.event, data: event.data, id: event.id });
    },
  });
  parser.feed(text);
  return events;
}

export interface StreamOutcome {
  events: ChunkEvent[];
  errors: UpstreamError[];
}

/** Feeds events through a transformer, then flushes it, collecting everything it produced. */
export function runTransformer(transformer: StreamTransformer, events: SseEvent[]): StreamOutcome {
  const outcome: StreamOutcome = { events: [], errors: [] };
  const sink = {
    enqueue: (event: ChunkEvent) => outcome.events.push(event),
    error: (reason: UpstreamError) => outcome.errors.push(reason),
  };
  for (const event of events) transformer.transform(event, sink);
  transformer.flush(sink);
  return outcome;
}
