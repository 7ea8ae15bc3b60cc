// The request target in origin form before anything routes or validates it. Node's parser leaves an
// absolute-form target (`POST http://host/v1/chat/completions HTTP/1.1`) and a raw `#fragment` in req.url;
// Express matches routes on the parsed pathname (the path of the URL, without its fragment), while
// express-openapi-validator looks its route up on req.originalUrl cut at `?`, finds none and, with
// ignoreUndocumented, validates nothing. Here the target becomes the plain path and query before the app's
// router sees it (the router sets req.originalUrl from it), so the router, the validator and everything
// after see the same path. The host of an absolute-form target is dropped: neither routing nor a
// provider's URL ever comes from the request.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Express } from "express";

const SLASH = 0x2f;
const QUESTION = 0x3f;
const HASH = 0x23;

/**
 * The origin form (path and query, no fragment) of a request target, or `undefined` when it is already in
 * origin form without a fragment, or is no URL at all (`*`, which stays as it is).
 * `http://h/p?q#f` -> `/p?q`, `http://h` -> `/`, `http://h?q` -> `/?q`, `/p#f` -> `/p`.
 */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

export function originFormOf(url: string): string | undefined {
  let target = url;
  if (url.charCodeAt(0) !== SLASH) {
    // Absolute form: scheme "://" authority, then the path, query and fragment (the parser refuses `http:/p`).
    const scheme = url.indexOf("://");
    // Only a real scheme before "://" (RFC 3986: a letter, then letters, digits, + - .): `*?u=http://h/x` or
    // `*://h/x` is no absolute URL and stays as it is (Express answers it 404), never becomes `/x`.
    if (scheme <= 0 || !SCHEME.test(url.slice(0, scheme))) return undefined;
    let end = scheme + 3;
    for (; end < url.length; end++) {
      const c = url.charCodeAt(end);
      if (c === SLASH || c === QUESTION || c === HASH) break;
    }
    target = url.charCodeAt(end) === SLASH ? url.slice(end) : `/${url.slice(end)}`;
  }
  const hash = target.indexOf("#");
  if (hash !== -1) target = target.slice(0, hash);
  return target === url ? undefined : target;
}

/** Puts req.url in origin form. The usual target (starting with `/`, no `#`) costs a character check and a search for `#`. */
export function toOriginForm(req: IncomingMessage): void {
  const url = req.url;
  if (url === undefined || (url.charCodeAt(0) === SLASH && url.indexOf("#") === -1)) return;
  const target = originFormOf(url);
  if (target !== undefined) req.url = target;
}

type Handle = (req: IncomingMessage, res: ServerResponse, done?: unknown) => void;

/**
 * Makes `app` put each request's target in origin form before its router sees it. Not a middleware: the
 * router keeps the scheme and host of an absolute-form req.url aside when it starts on a request, and puts
 * them back in front of req.url around every mounted router (`app.use("/v1", ...)`), so a middleware that
 * rewrote req.url would have the mounted routes see a mangled path. The app (a function) calls its own
 * `handle` for every request; this wraps it.
 */
export function originFormFirst(app: Express): Express {
  const target = app as unknown as { handle: Handle };
  const handle = target.handle;
  if (typeof handle !== "function") throw new Error("originFormFirst: the app has no handle function");
  target.handle = function (this: unknown, req, res, done) {
    toOriginForm(req);
    return handle.call(this, req, res, done);
  };
  return app;
}
