// A JSON answer in one writeHead. Express's res.set + res.json cost a header validation per res.set
// field, a charset negotiation and extra copies (~12 µs per request, bench/README.md "Toward issue 14").
// The bytes and headers are those of res.json: `application/json; charset=utf-8` and Content-Length,
// no ETag (the app disables it). Where responses are validated against the spec (tests), the validator
// hooks res.json, so that path keeps res.json.
import type { Response } from "express";

export function sendJson(res: Response, status: number, body: unknown, headers: Record<string, string>, viaResJson: boolean): void {
  if (viaResJson) {
    res.set(headers).status(status).json(body);
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
