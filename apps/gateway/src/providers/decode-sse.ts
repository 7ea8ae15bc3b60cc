// Decodes an upstream body into Server-Sent Events as its bytes arrive (events split across chunks,
// multi-byte characters split across chunks, comments and retry fields handled by eventsource-parser).
// An event (or a line without its newline) longer than `maxEventBytes` throws `tooLarge()` instead of being
// buffered on: the bytes fed since the last event are counted (give or take one network chunk, which is small
// next to the cap). Comments and retry fields do not reset the count: an upstream could put `:\n` between
// the data: lines of one event and grow it past any cap.
import { createParser } from "eventsource-parser";
import type { SseEvent } from "../core/provider-contract";

export interface DecodeSseOptions {
  maxEventBytes?: number;
  tooLarge?: () => Error;
}

export async function* decodeSse(body: AsyncIterable<unknown>, opts: DecodeSseOptions = {}): AsyncGenerator<SseEvent> {
  const out: SseEvent[] = [];
  let progressed = false;
  const parser = createParser({
    onEvent: (ev) => {
      progressed = true;
      out.push({ event: ev.event, data: ev.data, id: ev.id });
    },
  });
  const decoder = new TextDecoder();
  const max = opts.maxEventBytes ?? Infinity;
  let pending = 0;
  for await (const buf of body) {
    const bytes = buf as Uint8Array;
    progressed = false;
    parser.feed(decoder.decode(bytes, { stream: true }));
    pending = progressed ? 0 : pending + bytes.length;
    if (pending > max) throw opts.tooLarge?.() ?? new Error(`an event is larger than ${max} bytes`);
    while (out.length) yield out.shift()!;
  }
  parser.feed(decoder.decode());
  while (out.length) yield out.shift()!;
}
