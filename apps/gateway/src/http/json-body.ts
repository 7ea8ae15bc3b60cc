// JSON bodies only: a body of another type is 415; malformed JSON and oversize bodies are
// turned into OpenAI-shaped 400/413 by the error handler.
import express, { type RequestHandler } from "express";
import { HttpError } from "./http-error";

export function jsonBody(limit: string): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const hasBody = req.headers["content-length"] !== undefined ? req.headers["content-length"] !== "0" : req.headers["transfer-encoding"] !== undefined;
    if (hasBody && !req.is(["application/json", "application/*+json"])) {
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
  return [requireJson, express.json({ limit, strict: false, type: ["application/json", "application/*+json"] }), limitDepth];
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
