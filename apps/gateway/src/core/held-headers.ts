// Headers a stage decides before the answer is written (the request id, the routing policy, the cache
// status, x-ratelimit-*), held in the request's context instead of set on the response with setHeader.
// Node's writeHead(status, headers) writes its head straight from the object it is given only when no
// header was set before; each header set before sends the whole object through setHeader one by one.
// The app's responses fold the held headers into the head they write (http/fold-held-headers.ts), in the
// order they were held, before the writer's own, which win over a held one of the same name: the bytes on
// the wire are those setHeader gave. getHeader and hasHeader see held headers; any other header call
// (setHeader, removeHeader, getHeaders...) first sets the held ones, in order, as setHeader would have.
// Once a head went out in one writeHead (the fast path), Node keeps no header map: getHeader, getHeaders
// and hasHeader on that response then find nothing, neither held headers nor the writer's. Read what an
// answer sent from the request context (or the object handed to writeHead), never back from the response.
import type { ServerResponse } from "node:http";
import { contextOf, type RequestContext } from "./request-context";

/** Marks a response prototype whose writeHead folds held headers in (http/fold-held-headers.ts). */
export const FOLDS_HELD_HEADERS = Symbol("runestone.foldsHeldHeaders");

/**
 * Sets a header on the answer to come, as setHeader would (same place in the head, same precedence).
 * `name` is lowercase. A response whose head is already written throws as setHeader does; one that does
 * not fold held headers (a response outside the app) gets setHeader itself.
 */
export function holdHeader(res: ServerResponse, name: string, value: string, ctx: RequestContext = contextOf(res as never)): void {
  const held = ctx.heldHeaders;
  // Headers held already: this response folds them and its head is not written (writeHead takes them all).
  // The checks below, once per batch (they cost more than the rest: lookups along the response's prototypes).
  if (held !== undefined) {
    held[name] = value;
    return;
  }
  if (res.headersSent || (res as { [FOLDS_HELD_HEADERS]?: true })[FOLDS_HELD_HEADERS] !== true) {
    res.setHeader(name, value);
    return;
  }
  const first: Record<string, string> = {};
  first[name] = value;
  ctx.heldHeaders = first;
}
