// While the gateway drains after SIGTERM its listener stays open (so probes see /health/ready 503
// draining), but it takes on no new model work: every /v1 operation whose contract declares 503
// (chat, chat/stream, messages, embeddings) answers 503 overloaded_error `draining` with
// Retry-After, for the client to retry on another instance. Other /v1 reads are still answered.
// Every answer during the drain closes its connection, so keep-alive clients move elsewhere.
import type { RequestHandler } from "express";
import { HttpError } from "../core/http-error";
import type { Lifecycle } from "./lifecycle";

const METHODS = ["get", "put", "post", "delete", "patch"];

export function refuseWhileDraining(lifecycle: Lifecycle, document: Record<string, unknown>): RequestHandler {
  const paths = (document.paths ?? {}) as Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  const refused = Object.entries(paths)
    .filter(([template]) => template.startsWith("/v1/"))
    .flatMap(([template, item]) =>
      METHODS.filter((m) => item[m]?.responses?.["503"]).map((m) => ({
        method: m.toUpperCase(),
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}/?$`),
      })),
    );
  return (req, res, next) => {
    if (!lifecycle.draining) return next();
    res.setHeader("connection", "close");
    if (!refused.some((r) => r.method === req.method && r.pattern.test(req.path))) return next();
    next(
      new HttpError({
        status: 503,
        type: "overloaded_error",
        code: "draining",
        message: "This gateway instance is shutting down and takes no new requests; retry (another instance will answer).",
        headers: { "retry-after": "1" },
      }),
    );
  };
}
