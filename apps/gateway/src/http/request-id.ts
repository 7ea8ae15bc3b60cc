// Accepts a sane `x-request-id` from the client or makes one, and echoes it on every response.
import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestId: RequestHandler = (req, res, next) => {
  const given = req.headers["x-request-id"];
  const id = typeof given === "string" && acceptable.test(given) ? given : `req_${randomUUID().replace(/-/g, "")}`;
  res.locals.requestId = id;
  res.locals.startedAt = performance.now();
  res.setHeader("x-request-id", id);
  next();
};
