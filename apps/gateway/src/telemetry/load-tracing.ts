// Tracing is loaded only when an OTLP endpoint is configured: importing the OpenTelemetry SDK costs
// over a second of startup on a busy machine, and "off" must cost nothing.
import type { Tracing, TracingOptions } from "./tracing";
import type { RunestoneConfig } from "../config/schema";

/** The collector URL for traces: the configured (or OTEL_EXPORTER_OTLP_ENDPOINT) base plus /v1/traces. */
export function otlpTracesUrl(config: RunestoneConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!config.tracing.otlp_endpoint && explicit) return explicit;
  const base = config.tracing.otlp_endpoint ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!base) return undefined;
  return base.endsWith("/v1/traces") ? base : `${base.replace(/\/+$/, "")}/v1/traces`;
}

/** Tracing when an OTLP endpoint is configured, else undefined (and nothing loaded). */
export async function loadTracing(opts: TracingOptions): Promise<Tracing | undefined> {
  const url = otlpTracesUrl(opts.config, opts.env);
  if (!url) return undefined;
  const { Tracing } = await import("./tracing");
  return new Tracing(opts, url);
}
