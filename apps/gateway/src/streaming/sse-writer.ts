// Writes Server-Sent Events to the client with backpressure: one `data:` event per chunk,
// `data: [DONE]` after a successful stream, an error event (and no [DONE]) after a failure.
import type { Response } from "express";

const RESOLVED: Promise<void> = Promise.resolve();

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

  /**
   * Writes one `data:` event; nothing to wait for when the socket took it, else a promise that resolves
   * when it can take more (or the client is gone). No promise per chunk on the common path.
   */
  data(json: string): Promise<void> | undefined {
    return this.write(`data: ${json}\n\n`);
  }

  /** Writes raw SSE text with backpressure. */
  frame(text: string): Promise<void> {
    return this.write(text) ?? RESOLVED;
  }

  private write(text: string): Promise<void> | undefined {
    if (this.closed || this.res.write(text)) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.res.off("drain", done);
        this.res.off("close", done);
        resolve();
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
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
