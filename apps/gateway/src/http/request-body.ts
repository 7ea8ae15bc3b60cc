// Small facts about a request's body that the body guard, the JSON reader and the error handler share.
import type { Request, Response } from "express";
import type { Socket } from "node:net";
import { HttpError } from "../core/http-error";

/** Whether the request announces a body (Content-Length above 0, or chunked). */
export function declaresBody(req: Request): boolean {
  const length = req.headers["content-length"];
  return length !== undefined ? length !== "0" : req.headers["transfer-encoding"] !== undefined;
}

/** The body announced more than it sent so far: answering now leaves bytes unread on the connection. */
export const bodyUnfinished = (req: Request): boolean => declaresBody(req) && !req.complete;

export const bodyTooLarge = () =>
  new HttpError({ status: 413, type: "invalid_request_error", code: "request_too_large", message: "the request body is larger than the gateway accepts" });

/** How long a connection closed with its body unread still takes (and drops) what the client sends. */
export const LINGER_MS = 1_000;

/**
 * Closes the connection once the answer is out, without reading the rest of the body. Node ends such a
 * connection with destroySoon(), and destroying a socket with unread input makes the kernel send a reset
 * that can overtake the answer (the client, still sending, sees ECONNRESET instead of our 413 or 401).
 * So, as web servers do, the close lingers: send FIN, drop whatever still arrives, destroy after LINGER_MS
 * or as soon as the client closes.
 */
export function closeAfterAnswer(req: Request, res: Response): void {
  res.setHeader("connection", "close");
  const socket = req.socket as Socket & { destroySoon?: () => void };
  socket.destroySoon = () => {
    socket.end();
    req.removeAllListeners("data");
    req.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };
}
