// Several middlewares run as one Express layer. Each router layer costs a path match, a parseurl and a
// few closures per request, which for the ~25 layers of createApp was tens of µs of CPU per request
// (bench/README.md, "Toward issue 14"). The semantics are those of mounting them one by one, in the same
// order: a thrown error or a rejected promise goes to next(err), next("route") goes on to the next
// middleware, next("router") and errors leave the group for the app's own next.
import type { NextFunction, Request, RequestHandler, Response } from "express";

export function compose(handlers: RequestHandler[]): RequestHandler {
  // An error handler (4 arguments) would be called here with the wrong arguments: refuse it at startup.
  for (const h of handlers) if (h.length > 3) throw new Error(`compose: ${h.name || "a middleware"} is an error handler`);
  const n = handlers.length;
  return (req: Request, res: Response, next: NextFunction) => {
    let i = 0;
    const step = (err?: unknown): void => {
      if (err === "route") err = undefined;
      if (err) return next(err);
      if (i === n) return next();
      const h = handlers[i++]!;
      try {
        rejectionsTo(h(req, res, step), next);
      } catch (e) {
        next(e);
      }
    };
    step();
  };
}

/** A handler's returned promise, if it is one, has its rejection go to `next`, as Express 5 does. */
export function rejectionsTo(r: unknown, next: NextFunction): void {
  if (r !== null && (typeof r === "object" || typeof r === "function") && typeof (r as Promise<unknown>).then === "function") {
    (r as Promise<unknown>).then(undefined, (e: unknown) => next(e || new Error("Rejected promise")));
  }
}

/**
 * `handler` (a router) entered only for paths that start with one of `prefixes` (case-insensitive, as
 * Express matches routes); any other request passes by without walking the router's routes.
 */
export function onlyUnder(prefixes: string[], handler: RequestHandler): RequestHandler {
  return onPaths(new RegExp(`^(?:${prefixes.map(escapeRegExp).join("|")})`, "i"), handler);
}

/**
 * `handler` entered for the requests `app.use(mountPath, handler)` would enter, without a router layer of its
 * own: the router matches a mount path case-insensitively on the request's path, followed by "/" or the end
 * of the path (path-to-regexp with end: false), so "/v1", "/V1/chat" and "/v1/" enter, "/v1x" and "/v1.json"
 * do not. Unlike a mount, req.url and req.baseUrl are left as they are: the handler sees the whole path (a
 * mount rewrites req.url on the way in and back on the way out, and makes the URL be parsed again).
 */
export function atMountPath(mountPath: string, handler: RequestHandler): RequestHandler {
  if (!mountPath.startsWith("/") || mountPath.endsWith("/")) throw new Error(`atMountPath: ${mountPath} must start with "/" and not end with one`);
  return onPaths(new RegExp(`^${escapeRegExp(mountPath)}(?:/|$)`, "i"), handler);
}

/** `handler` for the requests whose path `paths` matches; the others go on with next(). */
function onPaths(paths: RegExp, handler: RequestHandler): RequestHandler {
  return (req, res, next) => (paths.test(req.path) ? handler(req, res, next) : next());
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
