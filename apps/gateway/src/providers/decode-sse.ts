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

const NONE: SseEvent[] = [];

/**
 * The decoder as a plain object fed one network chunk at a time: the chat stream reads its body in
 * one loop with it, instead of through a generator per layer (each layer is a promise hop per event).
 */
export class SseDecoder {
  private out: SseEvent[] = [];
  private progressed = false;
  private pending = 0;
  private readonly max: number;
  private readonly decoder = new TextDecoder();
  private readonly parser = createParser({
    onEvent: (ev) => {
      this.progressed = true;
      this.out.push({ event: ev.event, data: ev.data, id: ev.id });
    },
  });

  constructor(private readonly opts: DecodeSseOptions = {}) {
    this.max = opts.maxEventBytes ?? Infinity;
  }

  /** The events this chunk completed, in order (throws `tooLarge()` past the cap). */
  feed(bytes: Uint8Array): SseEvent[] {
    this.progressed = false;
    this.parser.feed(this.decoder.decode(bytes, { stream: true }));
    this.pending = this.progressed ? 0 : this.pending + bytes.length;
    if (this.pending > this.max) throw this.opts.tooLarge?.() ?? new Error(`an event is larger than ${this.max} bytes`);
    return this.take();
  }

  /** The events the end of the body completed. */
  end(): SseEvent[] {
    this.parser.feed(this.decoder.decode());
    return this.take();
  }

  private take(): SseEvent[] {
    if (!this.out.length) return NONE;
    const evs = this.out;
    this.out = [];
    return evs;
  }
}

export async function* decodeSse(body: AsyncIterable<unknown>, opts: DecodeSseOptions = {}): AsyncGenerator<SseEvent> {
  const d = new SseDecoder(opts);
  for await (const buf of body) yield* d.feed(buf as Uint8Array);
  yield* d.end();
}
