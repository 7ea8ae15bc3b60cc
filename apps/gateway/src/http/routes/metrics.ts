// GET /metrics: Prometheus text exposition. Who may scrape is metrics.access: `loopback` (only from
// this machine), `admin` (the admin key as the bearer token) or `open`.
import { Router as ExpressRouter, type Request } from "express";
import type { RunestoneConfig } from "../../config/schema";
import type { AdminKey } from "../../state/admin-key";
import type { GatewayMetrics } from "../../telemetry/metrics";
import { HttpError } from "../../core/http-error";

export interface MetricsDeps {
  metrics: GatewayMetrics;
  access: RunestoneConfig["metrics"]["access"];
  adminKey: AdminKey;
}

export function metricsRoutes(deps: MetricsDeps): ExpressRouter {
  const r = ExpressRouter();
  r.get("/metrics", async (req, res) => {
    const refused = scrapeRefusal(deps, req);
    if (refused) throw refused;
    const { contentType, body } = await deps.metrics.scrape().catch(() => {
      // With several workers the scrape gathers them all through the primary, which may fail to answer.
      throw new HttpError({ status: 503, type: "overloaded_error", code: "metrics_unavailable", message: "metrics could not be gathered from every worker process; retry the scrape", headers: { "retry-after": "1" } });
    });
    res.setHeader("content-type", contentType);
    res.setHeader("cache-control", "no-store");
    res.send(body);
  });
  return r;
}

/** Why this caller may not scrape, or undefined when it may. */
export function scrapeRefusal(deps: Pick<MetricsDeps, "access" | "adminKey">, req: Pick<Request, "socket" | "headers">): HttpError | undefined {
  if (deps.access === "open") return undefined;
  if (deps.access === "loopback") {
    // A reverse proxy on this machine makes every client look local: a request it forwarded is not.
    if (isLoopback(req.socket.remoteAddress) && !forwarded(req.headers)) return undefined;
    return new HttpError({ status: 403, type: "permission_error", code: "metrics_loopback_only", message: "metrics can only be scraped from this machine (metrics.access: loopback)" });
  }
  const header = req.headers.authorization;
  const key = typeof header === "string" && header.slice(0, 7).toLowerCase() === "bearer " ? header.slice(7).trim() : "";
  if (key && deps.adminKey.matches(key)) return undefined;
  return new HttpError({
    status: 401,
    type: "authentication_error",
    code: key ? "invalid_api_key" : "missing_api_key",
    message: deps.adminKey.configured ? "metrics need the admin key: send it as 'Authorization: Bearer <admin key>'" : "metrics need the admin key, and none is configured (RUNESTONE_ADMIN_KEY)",
  });
}

const forwarded = (h: Request["headers"]) => h.forwarded !== undefined || h["x-forwarded-for"] !== undefined || h["x-real-ip"] !== undefined;

export function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  return addr === "::1" || addr.startsWith("127.") || addr.startsWith("::ffff:127.");
}
