// Shared setup for the tenant limit, admin, usage and multi-instance tests: a config with tenants that
// carry limits, models whose upstream stalls or drips (set with upstream.behave by upstream model), and
// an admin key; gateways on the embedded backend (a SQLite file in a temp dir) or a shared Redis.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { parseConfig } from "../src/config/load";
import type { RunestoneConfig } from "../src/config/schema";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture } from "./harness";

export const ADMIN_KEY = "sk-admin-test-0123456789abcdef";
export const KEYS = {
  rpm: "sk-test-rpm-0123456789",
  conc: "sk-test-conc-0123456789",
  tpm: "sk-test-tpm-0123456789",
  alpha: "sk-test-alpha-0123456789",
  beta: "sk-test-beta-0123456789",
  burst: "sk-test-burst-0123456789",
} as const;

export function limitsConfigYaml(upstreamUrl: string, state: string, tenantsExtra = ""): string {
  return `
server: { host: 127.0.0.1, port: 0, body_limit: 1mb, shutdown_grace_ms: 1000 }
admin: { key: ${ADMIN_KEY} }
state: ${state}
providers:
  openai:
    type: openai
    base_url: ${upstreamUrl}/v1
    api_key: sk-upstream
    timeouts: { connect_ms: 2000, first_byte_ms: 30000, idle_ms: 30000, total_ms: 60000 }
models:
  gpt-4o-mini:
    max_output_tokens: 500
    pricing: { input_per_1m: 0.15, cached_input_per_1m: 0.075, output_per_1m: 0.6 }
    deployments: [{ provider: openai, model: gpt-4o-mini }]
  slow:
    deployments: [{ provider: openai, model: stall-model }]
  drip:
    pricing: { input_per_1m: 1, output_per_1m: 2 }
    deployments: [{ provider: openai, model: drip-model }]
tenants:
  - id: rpm
    keys: [${KEYS.rpm}]
    limits: { requests_per_minute: 5 }
  - id: conc
    keys: [${KEYS.conc}]
    limits: { max_concurrent: 2 }
  - id: tpm
    keys: [${KEYS.tpm}]
    limits: { tokens_per_minute: 1000 }
  - id: alpha
    keys: [${KEYS.alpha}]
  - id: beta
    keys: [${KEYS.beta}]
  - id: burst
    keys: [${KEYS.burst}]
    limits: { requests_per_minute: 20, max_concurrent: 4 }
${tenantsExtra}`;
}

export function tempSqlitePath(): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "runestone-limits-"));
  return { path: join(dir, "state.db"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Instances {
  upstream: MockUpstream;
  gateways: RunningGateway[];
  config: RunestoneConfig;
  urls: string[];
  close(): Promise<void>;
}

/** Starts `n` gateways on one config (and one mock upstream unless given). */
export async function startInstances(n: number, yaml: (upstreamUrl: string) => string, upstream?: MockUpstream): Promise<Instances> {
  const up = upstream ?? (await startMockUpstream());
  const { config } = parseConfig(yaml(up.url), {});
  const gateways: RunningGateway[] = [];
  for (let i = 0; i < n; i++) gateways.push(await startGateway({ config, logger: createLogger("warn", new LogCapture()), validateResponses: true }));
  return {
    upstream: up,
    gateways,
    config,
    urls: gateways.map((g) => g.url),
    async close() {
      await Promise.all(gateways.map((g) => g.close()));
      if (!upstream) await up.close();
    },
  };
}

export function chat(url: string, key: string, body: Record<string, unknown> = {}, init: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...init.headers },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello there" }], ...body }),
    signal: init.signal,
  });
}

export function api(url: string, key: string | undefined, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
}

/** Polls until `check` holds or `timeoutMs` passes; answers how long it took, or undefined. */
export async function within(timeoutMs: number, check: () => Promise<boolean>, everyMs = 25): Promise<number | undefined> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
