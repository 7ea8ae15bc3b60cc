// The single place where any error becomes OpenAI's error envelope. Never a stack trace, never
// request contents or keys in the message.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { HttpError } from "../core/http-error";
import { holdHeader } from "../core/held-headers";
import { triedHeaders } from "../pipeline/routing-headers";
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
    // A failure after a provider was called says which one, as a success does (routing-headers.ts).
    if (err instanceof UpstreamError && err.attempt) {
      ctx.failedAttempt = err.attempt; // the log line and metrics name it too (telemetry/describe-request.ts)
      if (ctx.routingPolicy !== undefined) holdHeader(res, "x-runestone-routing-policy", ctx.routingPolicy, ctx);
      for (const [name, value] of Object.entries(triedHeaders(err.attempt))) holdHeader(res, name, value, ctx);
    }
    sendError(req, res, httpErr);
  };
}

/** Answers `httpErr` in the envelope its route speaks; also for answers outside the middleware chain (body-guard's deadline). */
export function sendError(req: Request, res: Response, httpErr: HttpError): void {
  contextOf(res).errorCode = httpErr.code ?? undefined;
  if (sentInOneHead(req, res, httpErr)) return;
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

/**
 * The common error, answered as below but in one writeHead, so that the headers held in the request context
 * (core/held-headers.ts) and these go into the head together (Node's fast path): the bytes and headers of
 * res.json (app settings: no JSON spaces, replacer or escape, no ETag), in the order the path below sets
 * them. Not when the body is unfinished (its connection: close comes between), when Express's res.json is
 * hooked on this response (the spec's response validator, in tests), or when a content header is set already.
 */
function sentInOneHead(req: Request, res: Response, httpErr: HttpError): boolean {
  if (bodyUnfinished(req) || Object.prototype.hasOwnProperty.call(res, "json")) return false;
  if (res.getHeader("content-type") !== undefined || res.getHeader("transfer-encoding") !== undefined) return false;
  const head: Record<string, string | number> = {};
  for (const name in httpErr.headers) {
    if (CONTENT_HEADERS.test(name)) return false;
    head[name] = httpErr.headers[name]!;
  }
  // As below: Retry-After on every 503 unless one is given or set.
  if (httpErr.status === 503 && !Object.keys(head).some((n) => n.toLowerCase() === "retry-after") && !res.hasHeader("retry-after")) head["retry-after"] = "1";
  const messages = isMessagesRoute(req.originalUrl.split("?")[0]!);
  const text = JSON.stringify(messages ? toAnthropicErrorBody(httpErr) : httpErr.toBody());
  // Named as res.json names them.
  head["Content-Type"] = "application/json; charset=utf-8";
  head["Content-Length"] = Buffer.byteLength(text);
  res.writeHead(messages ? anthropicStatus(httpErr) : httpErr.status, head);
  // As res.send: a HEAD answer has the length of the body it does not send.
  if (req.method === "HEAD") res.end();
  else res.end(text);
  return true;
}

const CONTENT_HEADERS = /^(content-type|content-length|transfer-encoding|connection)$/i;

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new HttpError({ status: 404, type: "not_found_error", code: "unknown_route", message: "no such route" }));
};
