// 405 for a known path called with a method the spec does not declare for it (with `Allow`).
import type { RequestHandler } from "express";
import { HttpError } from "../core/http-error";

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

export function methodNotAllowed(document: Record<string, unknown>): RequestHandler {
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
  const routes = Object.entries(paths).map(([template, item]) => ({
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}/?$`),
    allow: METHODS.filter((m) => m in item).map((m) => m.toUpperCase()),
  }));
  return (req, res, next) => {
    const route = routes.find((r) => r.pattern.test(req.path));
    if (!route || route.allow.includes(req.method)) return next();
    res.setHeader("allow", route.allow.join(", "));
    next(new HttpError({ status: 405, type: "invalid_request_error", code: "method_not_allowed", message: `${req.method} is not allowed on ${req.path}; use ${route.allow.join(" or ")}` }));
  };
}
