// Writes Anthropic's named SSE events (`event:` and `data:` lines) with backpressure. A stream ends after
// `message_stop`, or after one `event: error` when it failed.
import type { Response } from "express";
import type { SseEvent } from "../providers/types";
import type { MessagesErrorBody } from "./messages-types";

export class MessageSseWriter {
  constructor(private readonly res: Response) {}

  open(headers: Record<string, string>): void {
    this.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      ...headers,
    });
    this.res.flushHeaders();
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** Writes the event as received (its data text untouched); resolves when the socket takes more. */
  async write(ev: SseEvent): Promise<void> {
    if (this.closed) return;
    const frame = ev.event ? `event: ${ev.event}\ndata: ${ev.data}\n\n` : `data: ${ev.data}\n\n`;
    if (!this.res.write(frame)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.res.off("drain", done);
          this.res.off("close", done);
          resolve();
        };
        this.res.on("drain", done);
        this.res.on("close", done);
      });
    }
  }

  end(): void {
    if (!this.closed) this.res.end();
  }

  fail(body: MessagesErrorBody): void {
    if (this.closed) return;
    this.res.end(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
  }
}
