// Builds the request validators of the model endpoints before the first request needs them.
//
// express-openapi-validator compiles an operation's schemas on the first request to reach it (for chat
// completions ~50 ms of a ~100 ms first request, profiled; 20-40 ms for the others). At startup, each operation
// is handed to the same validator middleware once, as a request Express could have made: a request and a response
// born with the app's prototypes (http/express-born.ts) on an unconnected socket, an empty JSON body. The validator
// compiles, refuses the empty body and calls next; nothing is sent anywhere and no other middleware runs.
import { Socket } from "node:net";
import type { Express, NextFunction, Request, RequestHandler, Response } from "express";
import { expressBornClasses } from "./express-born";

const PER_OPERATION_MS = 10_000;

/**
 * JSON POSTs to `paths` (app.ts: the model routes' paths) through `validator`: how many reached the end of it
 * (built, then passed or refused); one that does not within 10 s is left to its first request.
 */
export async function warmValidators(app: Express, validator: RequestHandler, paths: readonly string[]): Promise<number> {
  const { IncomingMessage: Req, ServerResponse: Res } = expressBornClasses(app);
  let reached = 0;
  for (const path of paths) {
    const socket = new Socket();
    const req = new Req(socket) as unknown as Request;
    req.method = "POST";
    req.url = path;
    req.originalUrl = path;
    req.headers = { "content-type": "application/json", "content-length": "2" };
    req.body = {};
    const res = new Res(req) as unknown as Response;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      new Promise<boolean>((resolve) => {
        const next: NextFunction = () => resolve(true);
        try {
          void validator(req, res, next);
        } catch {
          resolve(false);
        }
      }),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), PER_OPERATION_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    socket.destroy();
    if (done) reached++;
  }
  return reached;
}
