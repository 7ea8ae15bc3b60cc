// A JSON answer in one writeHead. Express's res.set + res.json cost a header validation per res.set
// field, a charset negotiation and extra copies (~12 µs per request, bench/README.md "Toward issue 14").
// The bytes and headers are those of res.json: `application/json; charset=utf-8` and Content-Length,
// no ETag (the app disables it). `text`, when given, is the body's JSON already made (the upstream's own
// bytes with Runestone's fields spliced in, complete-chat.ts) and is sent instead of serializing `body`.
// The headers held in the request context (request id, routing policy, cache status, x-ratelimit-*) go
// first into the same head (http/fold-held-headers.ts): with no header set by setHeader before, Node writes
// the head straight from one object, its fast path.
// Where responses are validated against the spec (tests), the validator hooks res.json, so that path keeps
// res.json, and is given what `text` says, so the text that production sends is the one validated.
import type { Response } from "express";

export function sendJson(res: Response, status: number, body: unknown, headers: Record<string, string | number>, viaResJson: boolean, text?: string): void {
  if (viaResJson) {
    res.set(headers).status(status).json(text === undefined ? body : JSON.parse(text));
    return;
  }
  const out = text ?? JSON.stringify(body);
  // `headers` is the caller's own object, made for this answer: completed in place.
  headers["content-type"] = "application/json; charset=utf-8";
  headers["content-length"] = Buffer.byteLength(out);
  res.writeHead(status, headers);
  res.end(out);
}
