// JSON bodies only: a body of another type is 415. The body is read here (not by express.json) so that
// its limits hold however it arrives: past server.body_limit, counted both as sent and as decoded
// (a small gzip can inflate to gigabytes), the answer is 413 at once and the rest is never read; a
// Content-Encoding that does not decode is 400, one we do not know 415; malformed JSON is 400. The
// time limit is body-guard's. Mounted after authentication: an unauthenticated body is never read.
// Once an answer went out before the body was in (body-guard's 408), the request stops here for good:
// its late body is never parsed and the routes never run (they would call a provider, take an admission
// slot and then fail on headers already sent).
import type { Request, RequestHandler, Response } from "express";
import type { Readable, Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { bodyTooLarge, declaresBody } from "./request-body";
import { HttpError } from "../core/http-error";
import { onClose } from "../core/on-close";

const JSON_TYPES = ["application/json", "application/*+json"];

/**
 * req.is(JSON_TYPES) for a request that declares a body; the header nearly every client sends is answered
 * without parsing it (type-is parses the media type on every call, and this runs twice per request).
 */
const isJson = (req: Request): boolean => req.headers["content-type"] === "application/json" || Boolean(req.is(JSON_TYPES));

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

const unsupported = (message: string) => new HttpError({ status: 415, type: "invalid_request_error", code: "unsupported_encoding", message });

export function jsonBody(limitBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    if (declaresBody(req) && !isJson(req)) {
      return next(
        new HttpError({
          status: 415,
          type: "invalid_request_error",
          code: "unsupported_media_type",
          message: `unsupported Content-Type "${String(req.headers["content-type"] ?? "none").slice(0, 100)}": send application/json`,
        }),
      );
    }
    next();
  };
  const readJson: RequestHandler = (req, res, next) => {
    // Answered while an earlier step awaited (the key lookup): nothing more to do, nobody to tell.
    if (res.headersSent) return;
    if (req.complete && req.readableEnded) return next();
    if (req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === undefined) return next();
    if (!isJson(req)) return next();
    const type = req.headers["content-type"]!;
    const charset = type === "application/json" ? undefined : /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
    if (charset && charset !== "utf-8" && charset !== "utf8") return next(unsupported(`unsupported charset "${charset.slice(0, 40)}": send JSON as UTF-8`));
    const encoding = String(req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
    const makeDecoder = encoding === "identity" ? undefined : DECODERS[encoding];
    if (encoding !== "identity" && !makeDecoder) return next(unsupported(`unsupported Content-Encoding "${encoding.slice(0, 40)}": send identity, gzip, deflate or br`));
    readBody(req, res, limitBytes, makeDecoder?.(), (err, text) => {
      if (res.headersSent) return; // answered while the body was read (body-guard's 408): the late body is dropped
      if (err) return next(err);
      if (text === undefined) return; // the client went away: nobody to answer
      const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      if (json.length === 0) {
        req.body = {};
        return next();
      }
      try {
        req.body = JSON.parse(json);
      } catch {
        return next(new HttpError({ status: 400, type: "invalid_request_error", code: "invalid_json", message: "the request body is not valid JSON" }));
      }
      next();
    });
  };
  return [requireJson, readJson, limitDepth];
}

/**
 * Reads the whole body (decoded) as UTF-8, or fails at the first byte past `limit`; `text` is undefined
 * when the client hung up or an answer went out before the body was in.
 */
function readBody(req: Request, res: Response, limit: number, decoder: Transform | undefined, done: (err: HttpError | undefined, text?: string) => void): void {
  const source: Readable = decoder ? req.pipe(decoder) : req;
  const chunks: Buffer[] = [];
  let sent = 0;
  let decoded = 0;
  let settled = false;
  const settle = (err: HttpError | undefined, text?: string) => {
    if (settled) return;
    settled = true;
    chunks.length = 0; // read into `text` already; the close callback below keeps this scope until the response closes
    source.off("data", onDecoded);
    source.off("end", onEnd);
    source.off("error", onUndecodable);
    if (decoder) {
      req.off("data", onSent);
      req.off("error", onGone);
      req.off("close", onGone);
      req.unpipe(decoder);
      source.on("error", () => undefined);
      source.destroy();
    }
    // What is left unread stays unread: the error handler closes the connection (see sendError).
    if (err) req.pause();
    done(err, text);
  };
  const onSent = (chunk: Buffer) => {
    sent += chunk.length;
    if (sent > limit) settle(bodyTooLarge());
  };
  const onDecoded = (chunk: Buffer) => {
    decoded += chunk.length;
    if (decoded > limit) return settle(bodyTooLarge());
    chunks.push(chunk);
  };
  const onEnd = () => settle(undefined, Buffer.concat(chunks, decoded).toString("utf8"));
  const onUndecodable = () => settle(new HttpError({ status: 400, type: "invalid_request_error", code: "invalid_body_encoding", message: `the request body is not valid ${String(req.headers["content-encoding"]).slice(0, 40)} data` }));
  const onGone = () => {
    if (!req.complete) settle(undefined);
  };
  // Undecoded, the bytes sent are the bytes decoded (onDecoded counts them), and the request is the source:
  // its "error" settles as onUndecodable does, and a client gone mid-body closes the response too.
  if (decoder) {
    req.on("data", onSent);
    req.on("error", onGone);
    req.on("close", onGone);
  }
  source.on("data", onDecoded);
  source.on("end", onEnd);
  source.on("error", onUndecodable);
  // Answered before the body was in (body-guard's 408), or the client gone: the response closes and the read
  // ends unanswered (one of its close callbacks, core/on-close.ts, rather than listeners of its own). The rest
  // of the body may still arrive while the connection lingers (closeAfterAnswer): it is dropped.
  onClose(res, () => settle(undefined), "json-body");
}

/** Far deeper than any real request; JSON.parse accepts ~10^5 levels but JSON.stringify (forwarding, storing a job) overflows the stack near 5 000. */
export const MAX_JSON_DEPTH = 100;

const limitDepth: RequestHandler = (req, _res, next) => {
  const stack: Array<[unknown, number]> = [[req.body, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth > MAX_JSON_DEPTH) {
      return next(new HttpError({ status: 400, type: "invalid_request_error", code: "invalid_json", message: `the request body nests deeper than ${MAX_JSON_DEPTH} levels` }));
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
  }
  next();
};
