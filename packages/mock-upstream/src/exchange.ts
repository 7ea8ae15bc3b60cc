import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * One request/response pair: knows whether the client went away, waits in a way that stops
 * when it does, and cuts the connection on purpose (which must not count as a client abort).
 */
export class Exchange {
  closed = false;
  cutByServer = false;
  private pending?: { timer: NodeJS.Timeout; resolve: (ok: boolean) => void };

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    onEnd?: (how: "finished" | "client-closed" | "server-cut") => void,
  ) {
    res.once("close", () => {
      this.closed = true;
      if (this.pending) {
        clearTimeout(this.pending.timer);
        this.pending.resolve(false);
        this.pending = undefined;
      }
      if (onEnd) onEnd(res.writableFinished ? "finished" : this.cutByServer ? "server-cut" : "client-closed");
    });
  }

  /** Resolves true after `ms`, or false as soon as the connection closes. */
  wait(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.pending = {
        resolve,
        timer: setTimeout(() => {
          this.pending = undefined;
          resolve(!this.closed);
        }, ms),
      };
    });
  }

  /** Sends what was written so far, then destroys the socket: a response that stops without its end. */
  cut(data: string): void {
    this.cutByServer = true;
    const destroy = () => this.res.destroy();
    if (data) this.res.write(data, destroy);
    else {
      this.res.flushHeaders();
      this.res.socket?.end();
    }
  }
}
