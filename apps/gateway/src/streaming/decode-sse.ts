// Decodes an upstream body into Server-Sent Events as its bytes arrive (events split across chunks,
// multi-byte characters split across chunks, comments and retry fields handled by eventsource-parser).
import { createParser } from "eventsource-parser";
import type { SseEvent } from "../providers/types";

export async function* decodeSse(body: AsyncIterable<unknown>): AsyncGenerator<SseEvent> {
  const out: SseEvent[] = [];
  const parser = createParser({ onEvent: (ev) => out.push({ event: ev.event, data: ev.data, id: ev.id }) });
  const decoder = new TextDecoder();
  for await (const buf of body) {
    parser.feed(decoder.decode(buf as Uint8Array, { stream: true }));
    while (out.length) yield out.shift()!;
  }
  parser.feed(decoder.decode());
  while (out.length) yield out.shift()!;
}
