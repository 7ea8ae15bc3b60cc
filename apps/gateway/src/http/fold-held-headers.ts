// Puts the headers held in a request's context (core/held-headers.ts) into its response's head. Installed
// once on the app's response prototype (app.response, shared by every response: nothing per request): the
// overrides below look at the context's `heldHeaders` and, when there are none, are Node's own methods.
//
// writeHead(status[, reason][, headers]) is where every head is written: Node's _implicitHeader calls it for
// res.end/res.write/flushHeaders (Express's res.json and res.send included). The held headers go first, in
// the order they were held, then the writer's, whose value wins for a name in both (writeHead's object wins
// over setHeader, as before): one object, which Node writes straight into the head when nothing was set with
// setHeader before (its fast path), or sets one by one after what was (its slow path, as before). Any other
// header call first sets the held headers with setHeader, in order, so the head reads as it always did; only
// getHeader and hasHeader look at the held ones without setting them (Express's res.json asks for
// Content-Type on every answer).
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { FOLDS_HELD_HEADERS } from "../core/held-headers";
import { existingContextOf, type RequestContext } from "../core/request-context";

type Head = OutgoingHttpHeaders | Array<string | number | string[]> | undefined;
/** Node's response methods the overrides wrap (getRawHeaderNames is missing from @types/node). */
type Res = ServerResponse & { getRawHeaderNames(): string[]; [FOLDS_HELD_HEADERS]?: true };
type WriteHead = (this: ServerResponse, statusCode: number, reason?: string | Head, obj?: Head) => ServerResponse;

/** Makes `proto`'s responses fold held headers into their head. */
export function foldHeldHeaders(proto: ServerResponse): void {
  const p = proto as Res;
  if (Object.prototype.hasOwnProperty.call(p, FOLDS_HELD_HEADERS)) return;
  const base = {
    writeHead: p.writeHead as WriteHead,
    setHeader: p.setHeader,
    appendHeader: p.appendHeader,
    removeHeader: p.removeHeader,
    getHeader: p.getHeader,
    hasHeader: p.hasHeader,
    getHeaders: p.getHeaders,
    getHeaderNames: p.getHeaderNames,
    getRawHeaderNames: p.getRawHeaderNames,
  };

  /** Sets the held headers with setHeader, in order, and forgets them. */
  function setHeld(res: ServerResponse, ctx: RequestContext): void {
    const held = ctx.heldHeaders!;
    ctx.heldHeaders = undefined;
    for (const name in held) base.setHeader.call(res, name, held[name]!);
  }

  function writeHead(this: ServerResponse, statusCode: number, reason?: string | Head, obj?: Head): ServerResponse {
    const ctx = existingContextOf(this);
    const held = ctx?.heldHeaders;
    // Node's own checks and errors (head already written) for the rest.
    if (held === undefined || this.headersSent) return base.writeHead.apply(this, arguments as never);
    const given = typeof reason === "string" ? obj : (obj ?? reason);
    if (given !== undefined && given !== null) {
      if (Array.isArray(given)) {
        setHeld(this, ctx!);
        return base.writeHead.apply(this, arguments as never);
      }
      const names = Object.keys(given);
      for (const name of names) {
        // A held header under another spelling (setHeader keeps one header per name, in its first place,
        // spelled the last way): the held ones are set the slow way.
        const lower = name.toLowerCase();
        if (lower !== name && typeof held[lower] === "string") {
          setHeld(this, ctx!);
          return base.writeHead.apply(this, arguments as never);
        }
      }
      ctx!.heldHeaders = undefined;
      for (const name of names) (held as OutgoingHttpHeaders)[name] = given[name];
    } else {
      ctx!.heldHeaders = undefined;
    }
    return typeof reason === "string" ? base.writeHead.call(this, statusCode, reason, held) : base.writeHead.call(this, statusCode, held);
  }

  /** `method` after the held headers are set. */
  const settingFirst = <F extends (...args: never[]) => unknown>(method: F): F =>
    function (this: ServerResponse, ...args: Parameters<F>) {
      const ctx = existingContextOf(this);
      if (ctx?.heldHeaders !== undefined) setHeld(this, ctx);
      return method.apply(this, args);
    } as F;

  p.writeHead = writeHead as Res["writeHead"];
  p.setHeader = settingFirst(base.setHeader);
  p.appendHeader = settingFirst(base.appendHeader);
  p.removeHeader = settingFirst(base.removeHeader);
  p.getHeaders = settingFirst(base.getHeaders);
  p.getHeaderNames = settingFirst(base.getHeaderNames);
  p.getRawHeaderNames = settingFirst(base.getRawHeaderNames);
  p.getHeader = function (this: ServerResponse, name: string) {
    const held = existingContextOf(this)?.heldHeaders;
    if (held !== undefined && typeof name === "string") {
      const v = held[name.toLowerCase()];
      if (typeof v === "string") return v;
    }
    return base.getHeader.call(this, name);
  };
  p.hasHeader = function (this: ServerResponse, name: string) {
    const held = existingContextOf(this)?.heldHeaders;
    if (held !== undefined && typeof name === "string" && typeof held[name.toLowerCase()] === "string") return true;
    return base.hasHeader.call(this, name);
  };
  p[FOLDS_HELD_HEADERS] = true;
}
