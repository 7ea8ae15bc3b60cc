// While the gateway drains after SIGTERM its listener stays open (so probes see /health/ready 503
// draining), but it takes on no new model work: the operations that call a model (chat, chat/stream,
// messages, responses, embeddings) answer 503 overloaded_error `draining` with Retry-After, for the client to retry
// on another instance. Everything else is still answered: polling or cancelling a job this instance may
// be running, usage, the admin API, models. Every answer during the drain closes its connection, so
// keep-alive clients move elsewhere.
import type { RequestHandler } from "express";
import { HttpError } from "../core/http-error";
import { isModelCall } from "../core/model-calls";
import type { Lifecycle } from "./lifecycle";

export function refuseWhileDraining(lifecycle: Lifecycle): RequestHandler {
  return (req, res, next) => {
    if (!lifecycle.draining) return next();
    res.setHeader("connection", "close");
    // Express routes ignore case (and a trailing slash), so this check does too.
    if (!isModelCall(req.method, req.path.replace(/\/$/, "").toLowerCase())) return next();
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
