// Accepts a sane `x-request-id` from the client or makes one, and echoes it on every response.
import { randomFillSync } from "node:crypto";
import type { RequestHandler } from "express";
import { holdHeader } from "../core/held-headers";
import { contextOf } from "../core/request-context";
import { isMessagesRoute } from "../endpoints/messages/to-anthropic-error";

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

// 16 random bytes per id, in hex, taken from a pool refilled 512 ids at a time: as unguessable as a UUID's
// 122 random bits, at a third of the cost of randomUUID() plus a regex replace per request.
const ID_BYTES = 16;
const pool = Buffer.alloc(ID_BYTES * 512);
let used = pool.length;

export function newRequestId(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const id = `req_${pool.toString("hex", used, used + ID_BYTES)}`;
  used += ID_BYTES;
  return id;
}

export const requestId: RequestHandler = (req, res, next) => {
  const given = req.headers["x-request-id"];
  const id = typeof given === "string" && acceptable.test(given) ? given : newRequestId();
  // The first stage: the request's context starts here, with its id and arrival time.
  const ctx = contextOf(res);
  ctx.requestId = id;
  ctx.startedAt = performance.now();
  // Held in the context until the head is written (core/held-headers.ts): first in the head, as when it was set here.
  holdHeader(res, "x-request-id", id, ctx);
  // Anthropic's SDKs read `request-id` (err.requestID, response._request_id): the same id, on every answer of
  // the Anthropic-shaped routes, errors and streams included.
  if (isMessagesRoute(req.path)) holdHeader(res, "request-id", id, ctx);
  next();
};
