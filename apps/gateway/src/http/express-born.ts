// The request and response classes the HTTP server makes, born with the app's Express prototypes.
//
// For every request Express runs `Object.setPrototypeOf(req, app.request)` and the same for `res`. On objects Node
// made as plain IncomingMessage / ServerResponse that changes both hidden classes on every request, and every
// property access in Node's own http code and in Express then meets objects of several shapes. When the server
// makes them with those prototypes already in place, Express's call finds the prototype it asks for and changes
// nothing. The objects are the same Node classes underneath (the constructors are Node's, called on them), and
// `instanceof IncomingMessage` / `ServerResponse` hold as before. One consequence for whoever patches
// `app.response` (http/fold-held-headers.ts): answers Node writes itself before any request event (417 for an
// unknown Expect, 503 for a dropped request) now go through those methods too, on a response that has no request
// context, no `res.locals` and no `res.req`; a patch must fall through to Node's method there, as fold-held-headers does.
import { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

interface ExpressPrototypes {
  request: IncomingMessage;
  response: ServerResponse;
}

export interface ServerClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

/** `createServer({ ...expressBornClasses(app) }, app)`: requests and responses made with `app.request` / `app.response` as their prototypes. */
export function expressBornClasses(app: ExpressPrototypes): ServerClasses {
  // Node's constructors are plain functions (Node 20-24), so they can initialise an object made with another
  // prototype; a class constructor could not be called this way, so check rather than fail on the first request.
  if (/^class\b/.test(Function.prototype.toString.call(IncomingMessage)) || /^class\b/.test(Function.prototype.toString.call(ServerResponse))) {
    return { IncomingMessage, ServerResponse };
  }
  // Every argument Node passes goes on (today: the socket; the request and the response options).
  const NodeRequest = IncomingMessage as unknown as (this: IncomingMessage, ...args: unknown[]) => void;
  const NodeResponse = ServerResponse as unknown as (this: ServerResponse, ...args: unknown[]) => void;
  function Request(this: IncomingMessage, ...args: [socket: Socket, ...rest: unknown[]]): void {
    NodeRequest.apply(this, args);
  }
  Request.prototype = app.request;
  function Response(this: ServerResponse, ...args: [req: IncomingMessage, ...rest: unknown[]]): void {
    NodeResponse.apply(this, args);
  }
  Response.prototype = app.response;
  return { IncomingMessage: Request as unknown as typeof IncomingMessage, ServerResponse: Response as unknown as typeof ServerResponse };
}
