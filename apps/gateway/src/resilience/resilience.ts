// What execution needs beyond the candidates: the retry policy, the per-deployment breakers, the
// request deadline and where to report what happened. One per gateway, built by createApp.
import { resilienceSchema, type ResilienceConfig } from "../config/schema";
import type { GatewayEvents } from "../core/gateway-events";
import type { ExecutionPolicy } from "../core/route-plan";
import { BreakerRegistry } from "./breaker-registry";

export interface ResilienceOptions {
  config?: ResilienceConfig;
  events?: GatewayEvents;
  /** The overall deadline of one request (server.request_timeout_ms): no retry wait is started past it. */
  requestTimeoutMs?: number;
  now?: () => number;
}

export class Resilience implements ExecutionPolicy {
  readonly config: ResilienceConfig;
  readonly events: GatewayEvents;
  readonly requestTimeoutMs: number;
  readonly breakers: BreakerRegistry;
  readonly now: () => number;

  constructor(opts: ResilienceOptions = {}) {
    this.config = opts.config ?? resilienceSchema.parse({});
    this.events = opts.events ?? {};
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 600_000;
    this.now = opts.now ?? Date.now;
    this.breakers = new BreakerRegistry(this.config.breaker, this.events, this.now);
  }
}
