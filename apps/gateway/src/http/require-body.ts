// A request whose operation declares `requestBody.required: true` but that came with no body at all (no
// Content-Length, no Transfer-Encoding, as `curl -X POST` sends) is a 400, as express-openapi-validator answers
// for most operations. The validator enforces a required body only when the body's schema itself lists
// required properties (it reads `required` off the content schema, not off the requestBody): the Responses
// request and the streaming chat request need no single field (a routing field may stand for `model`), so
// their bodyless requests passed it and reached the endpoints with `req.body` undefined (a 500). Read off the
// operation the validator matched, so it holds for every operation of the spec, present and future.
import type { RequestHandler } from "express";
import { HttpError } from "../core/http-error";

type WithOperation = { openapi?: { schema?: { requestBody?: { required?: unknown } } } };

export const requireDeclaredBody: RequestHandler = (req, _res, next) => {
  if (req.body === undefined && (req as unknown as WithOperation).openapi?.schema?.requestBody?.required === true) {
    return next(new HttpError({ status: 400, type: "invalid_request_error", code: "invalid_request", message: "body: must have required property 'body'" }));
  }
  next();
};
