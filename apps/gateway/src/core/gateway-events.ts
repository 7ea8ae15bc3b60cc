// What happens inside the gateway, as plain events. Modules report them; telemetry (metrics,
// logs, traces) subscribes. Every method is optional, so reporting costs nothing when nobody listens.
import type { RoutingPolicy } from "./routing-policy";

export interface RequestFinishedEvent {
  requestId: string;
  /** The spec's path template (`/v1/jobs/{job_id}`), or "other". */
  route: string;
  method: string;
  status: number;
  tenant?: string;
  provider?: string;
  model?: string;
  routingPolicy?: RoutingPolicy;
  stream: boolean;
  durationMs: number;
  upstreamMs?: number;
  /** Time spent in the gateway itself: duration minus upstream wait. */
  overheadMs?: number;
  /** Streams: time to the first content chunk sent to the client. */
  ttftMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  /** The tokens are Runestone's estimate, not the provider's report (see usage-seen.ts). */
  tokensEstimated?: boolean;
  costUsd?: number;
  fallbacks?: number;
  retries?: number;
  /** The error's `code` (OpenAI envelope) when the request or its stream failed. */
  errorCode?: string;
  clientClosed?: boolean;
  /** Chat: what the response cache did. */
  cache?: "hit" | "miss" | "bypass";
  /** A cache hit: what the replayed answer cost when it was made (USD), saved this time. */
  cacheSavedUsd?: number;
}

export interface UpstreamAttemptEvent {
  provider: string;
  model: string;
  upstreamModel: string;
  ok: boolean;
  status?: number;
  errorKind?: string;
  durationMs: number;
}

/** A queued job's upstream call answered: its tokens and cost (the 202 that queued it carried none). */
export interface JobUsageEvent {
  tenant: string;
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens?: number;
  costUsd?: number;
}

export interface GatewayEvents {
  requestFinished?(e: RequestFinishedEvent): void;
  upstreamAttempt?(e: UpstreamAttemptEvent): void;
  /** `fromUpstreamModel`: the upstream model of the deployment that failed (the dashboard counts per deployment). */
  fallback?(e: { model: string; fromProvider: string; toProvider: string; reason: string; fromUpstreamModel?: string }): void;
  retry?(e: { provider: string; model: string; attempt: number; reason: string; delayMs: number; upstreamModel?: string }): void;
  breakerStateChanged?(e: { provider: string; model: string; state: "closed" | "open" | "half_open" }): void;
  rateLimited?(e: { tenant: string; limit: "concurrency" | "requests" | "tokens" | "budget" | "budget_reserved" | "unpriced_model" | "queue_full"; action: "rejected" | "queued" }): void;
  jobQueued?(e: { tenant: string; depth: number }): void;
  jobStarted?(e: { tenant: string; waitMs: number }): void;
  jobFinished?(e: { tenant: string; status: string }): void;
  jobUsage?(e: JobUsageEvent): void;
}

/** Fans one event out to several listeners (metrics, tracing, tests). */
export function combineEvents(...listeners: GatewayEvents[]): GatewayEvents {
  const out: GatewayEvents = {};
  const keys = new Set(listeners.flatMap((l) => Object.keys(l))) as Set<keyof GatewayEvents>;
  for (const k of keys) {
    const fns = listeners.map((l) => l[k]).filter(Boolean) as Array<(e: unknown) => void>;
    (out as Record<string, (e: unknown) => void>)[k] = (e: unknown) => {
      for (const f of fns) f(e);
    };
  }
  return out;
}
