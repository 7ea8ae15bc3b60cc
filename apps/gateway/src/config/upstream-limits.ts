// Caps on what the gateway reads from an upstream (server.max_upstream_response_bytes and
// server.max_upstream_event_bytes); providers/upstream-limits.ts enforces them.

export interface UpstreamLimits {
  /** A non-streamed answer (JSON, or an error body). */
  maxResponseBytes: number;
  /** One SSE event of a stream (a stream as a whole is not buffered, so it has no cap). */
  maxEventBytes: number;
}

/** The caps when none are given; also the config schema's defaults for both settings (one place for the numbers). */
export const DEFAULT_UPSTREAM_LIMITS: UpstreamLimits = { maxResponseBytes: 32 * 1024 * 1024, maxEventBytes: 4 * 1024 * 1024 };
