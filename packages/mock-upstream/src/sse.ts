import type { MockBehavior } from "./behavior.js";
import type { Exchange } from "./exchange.js";

export interface SseEvent {
  /** Anthropic names its events; OpenAI sends bare `data:` lines. */
  event?: string;
  data: string;
  /** Carries reply content (text, tool call, thinking): what `cutAfter` and `midStreamError` count. */
  content?: boolean;
  /** The terminal marker that `omitDone` leaves out (`[DONE]`, `message_stop`). */
  done?: boolean;
}

const MALFORMED = '{"malformed": ';

export function formatEvent(e: SseEvent): string {
  return e.event ? `event: ${e.event}\ndata: ${e.data}\n\n` : `data: ${e.data}\n\n`;
}

/** Index just past the k-th content event (or before the first one when k is 0). */
function cutIndex(events: SseEvent[], k: number): number {
  let seen = 0;
  let last = -1;
  for (let i = 0; i < events.length; i++) {
    if (!events[i]!.content) continue;
    if (seen === k) return i;
    seen += 1;
    last = i;
  }
  return last >= 0 ? last + 1 : events.length;
}

/**
 * Streams a planned event list with the faults of `behavior` applied. Without a chunk delay the
 * whole stream goes out in one write, which keeps the benchmark path cheap.
 */
export async function sendStream(
  ex: Exchange,
  planned: SseEvent[],
  behavior: MockBehavior,
  errorEvent: SseEvent,
): Promise<void> {
  let events = behavior.omitDone ? planned.filter((e) => !e.done) : planned;
  const bad = behavior.malformedAt;
  if (bad !== undefined && bad >= 1 && bad <= events.length) {
    events = events.slice();
    events[bad - 1] = { ...events[bad - 1]!, data: MALFORMED };
  }

  let ending: "end" | "cut" | "error" | "stall" | "huge-line" = "end";
  let k: number | undefined;
  if (behavior.hugeLineBytes !== undefined) [ending, k] = ["huge-line", 1];
  else if (behavior.cutAfter !== undefined) [ending, k] = ["cut", behavior.cutAfter];
  else if (behavior.midStreamError !== undefined) [ending, k] = ["error", behavior.midStreamError];
  else if (behavior.stall === "mid-stream") [ending, k] = ["stall", 1];
  if (k !== undefined) events = events.slice(0, cutIndex(events, k));
  if (ending === "error") events.push(errorEvent);

  ex.res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });

  const delay = behavior.chunkDelayMs ?? 0;
  let tail = "";
  if (delay > 0) {
    for (let i = 0; i < events.length; i++) {
      if (i > 0 && !(await ex.wait(delay))) return;
      const text = formatEvent(events[i]!);
      if (i === events.length - 1) tail = text;
      else ex.res.write(text);
    }
  } else {
    tail = events.map(formatEvent).join("");
  }

  if (ending === "huge-line") {
    if (tail) ex.res.write(tail);
    if (await writeHugeLine(ex, behavior.hugeLineBytes ?? 0)) ex.res.end();
  } else if (ending === "cut") ex.cut(tail);
  else if (ending === "stall") {
    if (tail) ex.res.write(tail);
    else ex.res.flushHeaders();
  } else ex.res.end(tail);
}

/** `hugeLineBytes`: a `data:` line of about `bytes` bytes with no newline, written with backpressure; false if the client left. */
async function writeHugeLine(ex: Exchange, bytes: number): Promise<boolean> {
  const piece = "a".repeat(64 * 1024);
  let left = bytes;
  if (!ex.res.write('data: {"x":"')) await drained(ex);
  while (left > 0 && !ex.closed) {
    const text = left >= piece.length ? piece : piece.slice(0, left);
    left -= text.length;
    if (!ex.res.write(text)) await drained(ex);
  }
  return !ex.closed;
}

function drained(ex: Exchange): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      ex.res.off("drain", done);
      ex.res.off("close", done);
      resolve();
    };
    ex.res.on("drain", done);
    ex.res.on("close", done);
  });
}
