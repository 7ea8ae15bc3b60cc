// Dispatch by exact path without walking routers: the model endpoints (POST only) and the per-path
// OpenAPI validators. Each Express router layer, and the validator's route lookup over every path of the
// spec, cost CPU on every request (bench/README.md, "Toward issue 14"); a Map lookup on the normalized
// path gives the same answer for the few hot paths.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { rejectionsTo } from "./compose";

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The key under which `path` matches a static route the way Express's default router (path-to-regexp,
 * case-insensitive, not strict) and express-openapi-validator match it: ASCII letters in any case, and
 * one optional trailing slash. `undefined` when the path holds a non-ASCII character (a case-insensitive
 * regexp matches none of them against ASCII, while toLowerCase maps some to ASCII).
 */
export function exactPathKey(path: string): string | undefined {
  if (NON_ASCII.test(path)) return undefined;
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith("/") ? lower.slice(0, -1) : lower;
}

/** Refuses at startup a table key that is not its own exactPathKey or has route parameters or wildcards. */
function assertStaticKey(path: string, who: string): void {
  if (exactPathKey(path) !== path || path.includes(":") || path.includes("*")) throw new Error(`${who}: ${path} is not a lower-case static path`);
}

/** The path express-openapi-validator matches routes against (openapi.metadata.js, lookupRoute). */
export const validatorPathOf = (req: Request): string => {
  const url = req.originalUrl;
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
};

/** A copy of an OpenAPI document whose `paths` hold only `path` (components and the rest untouched). */
export function specWithOnlyPath(document: Record<string, unknown>, path: string): Record<string, unknown> {
  const copy = structuredClone(document);
  const item = (copy.paths as Record<string, unknown> | undefined)?.[path];
  if (!item) throw new Error(`specWithOnlyPath: ${path} is not in the OpenAPI document`);
  copy.paths = { [path]: item };
  copy.components = reachableComponents(copy.components as Components | undefined, item);
  return copy;
}

type Components = Record<string, Record<string, unknown> | undefined>;

/**
 * The components `root` reaches through `#/components/<kind>/<name>` references, transitively (security
 * schemes kept whole: the document's `security` names them). The validator loads and preprocesses every
 * component it is given, so a one-path document with only what that path uses costs a fraction of the
 * whole one.
 */
function reachableComponents(components: Components | undefined, root: unknown): Components | undefined {
  if (!components) return components;
  const out: Components = {};
  if (components.securitySchemes) out.securitySchemes = components.securitySchemes;
  const seen = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (node === null || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/") && !seen.has(v)) {
        seen.add(v);
        const [kind, name] = v.slice("#/components/".length).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
        const target = kind && name !== undefined ? components[kind]?.[name] : undefined;
        if (target !== undefined) {
          (out[kind!] ??= {})[name!] = target;
          walk(target);
        }
      } else walk(v);
    }
  };
  walk(root);
  return out;
}

/**
 * One handler per exact path, chosen by `pathOf(req)`; any other path goes to `fallback`. The paths are
 * static (no parameters), given in lower case without a trailing slash.
 */
export function byExactPath(handlers: ReadonlyMap<string, RequestHandler>, fallback: RequestHandler, pathOf: (req: Request) => string): RequestHandler {
  for (const p of handlers.keys()) assertStaticKey(p, "byExactPath");
  return (req, res, next) => {
    const key = exactPathKey(pathOf(req));
    const h = key === undefined ? undefined : handlers.get(key);
    return (h ?? fallback)(req, res, next);
  };
}

/** An endpoint's POST routes: its exact paths (lower case, static) and their handlers (http/routes/). */
export type PostRoutes = Record<string, (req: Request, res: Response) => unknown>;

/**
 * POST routes on exact paths as one middleware, answering as express.Router().post(path, handler) mounts
 * would: the path is req.path, matched case-insensitively with one optional trailing slash; a thrown
 * error or a rejected promise goes to next(err); an OPTIONS request on one of the paths gets the router's
 * automatic `Allow: POST` answer; every other method or path goes on with next().
 */
export function exactPostRoutes(routes: PostRoutes): RequestHandler {
  const table = new Map<string, (req: Request, res: Response) => unknown>();
  for (const [path, handler] of Object.entries(routes)) {
    assertStaticKey(path, "exactPostRoutes");
    if (table.has(path)) throw new Error(`exactPostRoutes: ${path} twice`);
    table.set(path, handler);
  }
  return (req: Request, res: Response, next: NextFunction) => {
    const method = req.method;
    if (method !== "POST" && method !== "OPTIONS") return next();
    const key = exactPathKey(req.path);
    const handler = key === undefined ? undefined : table.get(key);
    if (!handler) return next();
    if (method === "OPTIONS") return sendOptions(res, next);
    try {
      rejectionsTo(handler(req, res), next);
    } catch (e) {
      next(e);
    }
  };
}

// As the router package's sendOptionsResponse for a path whose only route is POST.
function sendOptions(res: Response, next: NextFunction): void {
  try {
    res.setHeader("Allow", "POST");
    res.setHeader("Content-Length", 4);
    res.setHeader("Content-Type", "text/plain");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.end("POST");
  } catch (err) {
    next(err);
  }
}
