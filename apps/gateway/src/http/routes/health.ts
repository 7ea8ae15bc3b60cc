// /health (components), /health/live and /health/ready, without auth, for orchestrators.
import { Router as ExpressRouter } from "express";
import type { Schema } from "@runestone/contract";
import type { ProviderRegistry } from "../../providers/registry";
import type { BreakerRegistry } from "../../resilience/breaker-registry";
import type { Lifecycle } from "../lifecycle";
import type { JobQueue } from "../../jobs/job-queue";
import { queueHealth } from "../../jobs/queue-health";

type Status = Schema<"HealthStatus">;

export interface HealthDeps {
  providers: ProviderRegistry;
  lifecycle: Lifecycle;
  version: string;
  /** Circuit breakers per deployment: any not closed makes the providers component degraded. */
  breakers?: BreakerRegistry;
  jobs?: JobQueue;
  /** The state backend (keys, limits, usage): unhealthy when it cannot be reached. */
  state?: { health(): Promise<Schema<"ComponentHealth">> };
}

export function healthRoutes(deps: HealthDeps): ExpressRouter {
  const r = ExpressRouter();
  r.get("/health/live", (_req, res) => {
    res.json({ status: "alive", timestamp: Date.now() });
  });
  r.get("/health/ready", (_req, res) => {
    const { ready, draining } = deps.lifecycle;
    const ok = ready && !draining;
    if (!ok) res.setHeader("retry-after", "1");
    res.status(ok ? 200 : 503).json({ ready: ok, status: draining ? "draining" : ready ? "ready" : "not_ready", timestamp: Date.now() });
  });
  r.get("/health", async (_req, res) => {
    const all = deps.providers.all();
    const configured = all.filter((p) => p.configured);
    // Needs no key: the breakers of models outside the catalog are named by clients' requests (another tenant's
    // fine-tune, say), so they are only counted here; /metrics and the dashboard, behind their access, name them.
    const { named: breakers, outside } = deps.breakers?.byOrigin() ?? { named: [], outside: [] };
    const tripped = breakers.filter((b) => b.state !== "closed");
    const outsideTripped = outside.filter((b) => b.state !== "closed").length;
    const providers: Schema<"ComponentHealth"> = {
      status: !configured.length ? "unhealthy" : tripped.length || outsideTripped ? "degraded" : "healthy",
      message:
        `${configured.length} of ${all.length} providers configured` +
        (tripped.length ? `; circuit breaker not closed for ${tripped.map((b) => `${b.provider}/${b.model}`).join(", ")}` : "") +
        (outsideTripped ? `; ${outsideTripped} circuit breaker(s) of models outside the catalog not closed` : ""),
      details: Object.fromEntries(
        all.map((p) => {
          const own = breakers.filter((b) => b.provider === p.id);
          const others = outside.filter((b) => b.provider === p.id);
          const counts = others.length ? { outside_catalog: { breakers: others.length, open: others.filter((b) => b.state === "open").length, half_open: others.filter((b) => b.state === "half_open").length } } : {};
          return [p.id, { kind: p.kind, configured: p.configured, ...(own.length ? { breakers: Object.fromEntries(own.map((b) => [b.model, b.snapshot()])) } : {}), ...counts }];
        }),
      ),
    };
    const state: Schema<"ComponentHealth"> = deps.state ? await deps.state.health() : { status: "healthy", message: "embedded (in-process memory)" };
    const queue = await queueHealth(deps.jobs);
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
    if (status === "unhealthy") res.setHeader("retry-after", "1");
    res.status(status === "unhealthy" ? 503 : 200).json(body);
  });
  return r;
}
