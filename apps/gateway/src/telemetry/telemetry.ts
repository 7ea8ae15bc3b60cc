// The gateway's telemetry in one value: bounded labels, Prometheus metrics (unless disabled) and
// traces (when loaded by loadTracing, i.e. an OTLP endpoint is configured), with one combined events
// listener for the modules that report what happens.
import cluster from "node:cluster";
import type { RunestoneConfig } from "../config/schema";
import { clusterScrape } from "./cluster-metrics";
import { combineEvents, type GatewayEvents } from "../core/gateway-events";
import { MetricLabels, specRoutes } from "./metric-labels";
import { GatewayMetrics } from "./metrics";
import type { Tracing } from "./tracing";
import { TrafficRecorder } from "./traffic-recorder";

export interface Telemetry {
  labels: MetricLabels;
  metrics?: GatewayMetrics;
  tracing?: Tracing;
  /** The last hour of traffic in memory, for the dashboard (always on: O(1) per request). */
  traffic: TrafficRecorder;
  /** Every telemetry listener, to be combined with the caller's own. */
  events: GatewayEvents;
  /** Flushes spans not yet exported. */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  config: RunestoneConfig;
  openapiDocument: Record<string, unknown>;
  /** From loadTracing(); absent, nothing is traced. */
  tracing?: Tracing;
}

export function createTelemetry(opts: TelemetryOptions): Telemetry {
  const { config } = opts;
  const labels = new MetricLabels({ routes: specRoutes(opts.openapiDocument), models: Object.keys(config.models) });
  const metrics = config.metrics.enabled ? new GatewayMetrics({ labels, tenantLabel: config.metrics.tenant_label }) : undefined;
  if (metrics && cluster.isWorker && config.queue.workers > 1) metrics.scrapeThrough(clusterScrape(metrics.registry));
  const tracing = opts.tracing;
  const traffic = new TrafficRecorder();
  return {
    labels,
    metrics,
    tracing,
    traffic,
    events: combineEvents(metrics?.events ?? {}, tracing?.events ?? {}, traffic.events),
    shutdown: async () => {
      await tracing?.shutdown();
    },
  };
}
