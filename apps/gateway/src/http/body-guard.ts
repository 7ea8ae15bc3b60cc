// Bounds every request body before anything reads it, so that no client can hold a socket by promising
// gigabytes or by sending a byte now and then: a declared Content-Length beyond server.body_limit is
// refused at once (413, before the key is checked: it needs nothing but a header), and a body that has
// not fully arrived within server.body_timeout_ms of its headers is answered 408. The error handler
// closes the connection of every answer whose body did not fully arrive (see sendError).
import type { RequestHandler } from "express";
import { sendError } from "./error-handler";
import { HttpError } from "../core/http-error";
import { onClose } from "../core/on-close";
import { bodyTooLarge, declaresBody } from "./request-body";

export function bodyGuard(limitBytes: number, timeoutMs: number): RequestHandler {
  return (req, res, next) => {
    if (!declaresBody(req) || req.complete) return next();
    if (Number(req.headers["content-length"] ?? 0) > limitBytes) return next(bodyTooLarge());
    const timer = setTimeout(() => {
      if (req.complete) return;
      // An answer already under way (a handler that did not wait for the body) cannot change status.
      if (res.headersSent) return void req.socket.destroy();
      sendError(req, res, new HttpError({ status: 408, type: "invalid_request_error", code: "request_timeout", message: `the request body did not arrive within ${timeoutMs} ms` }));
    }, timeoutMs);
    // Cleared when the response closes (one of its close callbacks, core/on-close.ts, rather than two
    // listeners of its own): a timer still set once the body is in finds it complete and does nothing.
    onClose(res, () => clearTimeout(timer), "body-guard");
    next();
  };
}
