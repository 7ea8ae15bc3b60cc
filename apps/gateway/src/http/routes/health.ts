// /health (components), /health/live and /health/ready, without auth, for orchestrators.
import { Router as ExpressRouter } from "express";
import type { Schema } from "@runestone/contract";
import type { ProviderRegistry } from "../../providers/registry";
import type { Lifecycle } from "../lifecycle";

type Status = Schema<"HealthStatus">;

export interface HealthDeps {
  providers: ProviderRegistry;
  lifecycle: Lifecycle;
  version: string;
}

export function healthRoutes(deps: HealthDeps): ExpressRouter {
  const r = ExpressRouter();
  r.get("/health/live", (_req, res) => {
    res.json({ status: "alive", timestamp: Date.now() });
  });
  r.get("/health/ready", (_req, res) => {
    const { ready, draining } = deps.lifecycle;
    const ok = ready && !draining;
    res.status(ok ? 200 : 503).json({ ready: ok, status: draining ? "draining" : ready ? "ready" : "not_ready", timestamp: Date.now() });
  });
  r.get("/health", (_req, res) => {
    const all = deps.providers.all();
    const configured = all.filter((p) => p.configured);
    const providers: Schema<"ComponentHealth"> = {
      status: configured.length ? "healthy" : "unhealthy",
      message: `${configured.length} of ${all.length} providers configured`,
      details: Object.fromEntries(all.map((p) => [p.id, { kind: p.kind, configured: p.configured }])),
    };
    const state: Schema<"ComponentHealth"> = { status: "healthy", message: "embedded (in-process memory)" };
    const queue: Schema<"ComponentHealth"> = { status: "healthy", message: "overflow queue not enabled" };
    const components = { providers, state, queue };
    const statuses = Object.values(components).map((c) => c.status as Status);
    const status: Status = statuses.includes("unhealthy") ? "unhealthy" : statuses.includes("degraded") ? "degraded" : "healthy";
    const body: Schema<"HealthResponse"> = {
      status,
      version: deps.version,
      uptime: (Date.now() - deps.lifecycle.startedAt) / 1000,
      timestamp: Date.now(),
      components,
    };
    res.status(status === "unhealthy" ? 503 : 200).json(body);
  });
  return r;
}
