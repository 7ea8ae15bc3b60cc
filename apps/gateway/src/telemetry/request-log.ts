// One log line per request: who, what, where it went, how long, how many tokens. Never prompt
// text, completions or keys.
import type { RequestHandler } from "express";
import type { Logger } from "pino";
import type { Attempt } from "../resilience/execute";
import type { Lifecycle } from "../http/lifecycle";

export function requestLog(logger: Logger, lifecycle: Lifecycle): RequestHandler {
  return (req, res, next) => {
    lifecycle.enter();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      lifecycle.leave();
      if (!logger.isLevelEnabled("info")) return;
      const attempt = res.locals.attempt as Attempt | undefined;
      const usage = res.locals.usage as { prompt_tokens?: number; completion_tokens?: number } | undefined;
      const durationMs = performance.now() - (res.locals.startedAt as number);
      logger.info({
        request_id: res.locals.requestId,
        tenant: res.locals.tenant?.id,
        method: req.method,
        route: req.route?.path ?? req.path,
        status: res.statusCode,
        provider: attempt?.candidate.provider.id,
        model: attempt?.candidate.model.id,
        routing_policy: res.locals.routingPolicy,
        fallbacks: attempt?.fallbacks,
        duration_ms: Math.round(durationMs * 1000) / 1000,
        upstream_ms: attempt ? Math.round(attempt.upstreamMs * 1000) / 1000 : undefined,
        prompt_tokens: usage?.prompt_tokens,
        completion_tokens: usage?.completion_tokens,
        client_closed: !res.writableFinished || undefined,
      }, "request");
    };
    res.on("finish", finish);
    res.on("close", finish);
    next();
  };
}
