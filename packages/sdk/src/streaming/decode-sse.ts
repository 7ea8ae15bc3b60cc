export interface ServerSentEvent {
  /** The `event:` field; undefined for the default `message` type. */
  event: string | undefined;
  /** The `data:` lines of the event, joined with `\n`. */
  data: string;
  id: string | undefined;
}

/**
 * Server-Sent Events from a byte stream, per the WHATWG rules: lines end with `\n`, `\r\n` or `\r` (even when a
 * chunk boundary falls between `\r` and `\n`), `:` starts a comment, a blank line dispatches the event. At the end of
 * the stream an event whose last line was complete is still dispatched; a half-received line is dropped.
 * Returning early (a consumer `break`) cancels the underlying stream.
 */
export async function* decodeSSE(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new LineParser();
  let buffer = "";
  let first = true;
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      if (first && buffer.length > 0) {
        if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
        first = false;
      }
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== "\n" && c !== "\r") continue;
        // A trailing \r may be the first half of \r\n: wait for the next chunk to know.
        if (c === "\r" && i === buffer.length - 1) break;
        const event = parser.line(buffer.slice(start, i));
        if (c === "\r" && buffer[i + 1] === "\n") i++;
        start = i + 1;
        if (event) yield event;
      }
      buffer = buffer.slice(start);
    }
    buffer += decoder.decode();
    if (buffer.endsWith("\r")) {
      const event = parser.line(buffer.slice(0, -1));
      if (event) yield event;
    }
    const last = parser.end();
    finished = true;
    if (last) yield last;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

class LineParser {
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;

  line(line: string): ServerSentEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id") this.id = value;
    return undefined;
  }

  end(): ServerSentEvent | undefined {
    return this.dispatch();
  }

  private dispatch(): ServerSentEvent | undefined {
    const event =
      this.data.length > 0 ? { event: this.event, data: this.data.join("\n"), id: this.id } : undefined;
    this.data = [];
    this.event = undefined;
    return event;
  }
}
