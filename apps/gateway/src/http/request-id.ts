// Accepts a sane `x-request-id` from the client or makes one, and echoes it on every response.
import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import { contextOf } from "../core/request-context";
import { isMessagesRoute } from "../endpoints/messages/to-anthropic-error";

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestId: RequestHandler = (req, res, next) => {
  const given = req.headers["x-request-id"];
  const id = typeof given === "string" && acceptable.test(given) ? given : `req_${randomUUID().replace(/-/g, "")}`;
  // The first stage: the request's context starts here, with its id and arrival time.
  const ctx = contextOf(res);
  ctx.requestId = id;
  ctx.startedAt = performance.now();
  res.setHeader("x-request-id", id);
  // Anthropic's SDKs read `request-id` (err.requestID, response._request_id): the same id, on every answer of
  // the Anthropic-shaped routes, errors and streams included.
  if (isMessagesRoute(req.path)) res.setHeader("request-id", id);
  next();
};
