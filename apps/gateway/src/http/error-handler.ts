// The single place where any error becomes OpenAI's error envelope. Never a stack trace, never
// request contents or keys in the message.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { HttpError } from "../core/http-error";
import { contextOf } from "../core/request-context";
import { toHttpError } from "../core/to-http-error";
import { UpstreamError } from "../core/upstream-error";
import { anthropicStatus, isMessagesRoute, toAnthropicErrorBody } from "../endpoints/messages/to-anthropic-error";
import { bodyUnfinished, closeAfterAnswer } from "./request-body";

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const httpErr = toHttpError(err);
    const ctx = contextOf(res);
    ctx.errorCode = httpErr.code ?? undefined; // for the request's log line and metrics
    if (httpErr.status >= 500 && !(err instanceof HttpError) && !(err instanceof UpstreamError)) {
      logger.error({ request_id: ctx.requestId, err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack } }, "unhandled error");
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(req, res, httpErr);
  };
}

/** Answers `httpErr` in the envelope its route speaks; also for answers outside the middleware chain (body-guard's deadline). */
export function sendError(req: Request, res: Response, httpErr: HttpError): void {
  contextOf(res).errorCode = httpErr.code ?? undefined;
  for (const [k, v] of Object.entries(httpErr.headers)) res.setHeader(k, v);
  // The contract promises Retry-After on every 503; paths that know better (breakers, upstream) set their own.
  if (httpErr.status === 503 && !res.hasHeader("retry-after")) res.setHeader("retry-after", "1");
  // A body that did not fully arrive (refused before it was read, too large, too slow) is never read to its
  // end: Node closes the connection once the answer is out, so the client cannot hold the socket.
  if (bodyUnfinished(req)) closeAfterAnswer(req, res);
  // Anthropic SDKs talk to /v1/messages and read only Anthropic's error shape (and its 529 for overloaded).
  if (isMessagesRoute(req.originalUrl.split("?")[0]!)) res.status(anthropicStatus(httpErr)).json(toAnthropicErrorBody(httpErr));
  else res.status(httpErr.status).json(httpErr.toBody());
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new HttpError({ status: 404, type: "not_found_error", code: "unknown_route", message: "no such route" }));
};
