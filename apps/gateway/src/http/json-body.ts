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
  return [requireJson, express.json({ limit, strict: false, type: ["application/json", "application/*+json"] })];
}
