// Writes Server-Sent Events to the client with backpressure: one `data:` event per chunk,
// `data: [DONE]` after a successful stream, an error event (and no [DONE]) after a failure.
import type { Response } from "express";

export class SseWriter {
  constructor(private readonly res: Response) {}

  open(headers: Record<string, string>): void {
    this.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
      ...headers,
    });
    // Not flushed on their own: the stream opens once its first chunk is in hand, and Node sends the
    // headers with that first write, one packet instead of two.
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** Writes one `data:` event; resolves when the socket can take more (or the client is gone). */
  data(json: string): Promise<void> {
    return this.frame(`data: ${json}\n\n`);
  }

  /** Writes raw SSE text with backpressure. */
  async frame(text: string): Promise<void> {
    if (this.closed) return;
    if (!this.res.write(text)) {
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

  /** Ends the stream, optionally with a last frame. */
  end(text?: string): void {
    if (!this.closed) this.res.end(text);
  }

  done(): void {
    if (this.closed) return;
    this.res.end("data: [DONE]\n\n");
  }

  fail(error: { message: string; type: string; code: string | null; param: string | null }): void {
    if (this.closed) return;
    this.res.end(`data: ${JSON.stringify({ error })}\n\n`);
  }
}
