// Writes Anthropic's named SSE events (`event:` and `data:` lines) with backpressure. A stream ends after
// `message_stop`, or after one `event: error` when it failed.
import type { Response } from "express";
import type { SseEvent } from "../../core/provider-contract";
import { SseWriter } from "../../streaming/sse-writer";
import type { MessagesErrorBody } from "./messages-types";

export class MessageSseWriter {
  private readonly sse: SseWriter;

  constructor(res: Response) {
    this.sse = new SseWriter(res);
  }

  open(headers: Record<string, string>): void {
    this.sse.open(headers);
  }

  get closed(): boolean {
    return this.sse.closed;
  }

  /** Writes the event as received (its data text untouched); resolves when the socket takes more. */
  write(ev: SseEvent): Promise<void> {
    return this.sse.frame(ev.event ? `event: ${ev.event}\ndata: ${ev.data}\n\n` : `data: ${ev.data}\n\n`);
  }

  end(): void {
    this.sse.end();
  }

  fail(body: MessagesErrorBody): void {
    this.sse.end(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
  }
}
