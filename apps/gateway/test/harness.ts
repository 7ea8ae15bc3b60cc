// Test harness: a real mock upstream and a real gateway on ephemeral loopback ports, with JSON
// responses validated against the spec. Logs are captured in memory so tests can scan them.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { startMockUpstream, type MockUpstream, type RecordedRequest } from "@runestone/mock-upstream";
import { expect } from "vitest";
import { parseConfig } from "../src/config/load";
import type { RunestoneConfig } from "../src/config/schema";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";

export const TENANT_KEY = "sk-test-tenant-a-0123456789";
export const OTHER_KEY = "sk-test-tenant-b-0123456789";
export const UPSTREAM_KEY = "sk-upstream-secret-never-log-me";

/** A fresh SQLite file per gateway, so test files running in parallel never share state. */
export function tempSqlitePath(): string {
  return join(mkdtempSync(join(tmpdir(), "runestone-test-")), "state.db");
}

export function testConfigYaml(upstreamUrl: string, extra = ""): string {
  const state = /^state:/m.test(extra) ? "" : `state: { sqlite_path: ${tempSqlitePath()} }`;
  return `
${state}
server: { host: 127.0.0.1, port: 0, body_limit: 1mb, shutdown_grace_ms: 5000 }
providers:
  mock: { type: mock }
  openai:
    type: openai
    base_url: ${upstreamUrl}/v1
    api_key: ${UPSTREAM_KEY}
    timeouts: { connect_ms: 1000, first_byte_ms: 3000, idle_ms: 3000, total_ms: 10000 }
  backup:
    type: openai-compatible
    base_url: ${upstreamUrl}/v1
    api_key: sk-backup-upstream
  nokey:
    type: openai
    base_url: ${upstreamUrl}/v1
models:
  mock-echo:
    capabilities: [chat, streaming, function_calling, json_mode]
    deployments: [{ provider: mock }]
  gpt-4o-mini:
    pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }
    capabilities: [chat, streaming, function_calling, json_mode, vision]
    deployments: [{ provider: openai, model: gpt-4o-mini }]
  gpt-4o-fallback:
    deployments: [{ provider: openai, model: primary-model }, { provider: backup, model: backup-model }]
  unkeyed-model:
    deployments: [{ provider: nokey, model: whatever }]
tenants:
  - id: tenant-a
    keys: [${TENANT_KEY}]
  - id: tenant-b
    keys: [${OTHER_KEY}]
${extra}`;
}

export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    cb();
  }
  text(): string {
    return this.lines.join("\n");
  }
}

export interface Harness {
  upstream: MockUpstream;
  gateway: RunningGateway;
  config: RunestoneConfig;
  logs: LogCapture;
  url: string;
  close(): Promise<void>;
}

export async function startHarness(opts: { configYaml?: (upstreamUrl: string) => string } = {}): Promise<Harness> {
  const upstream = await startMockUpstream();
  const yaml = (opts.configYaml ?? testConfigYaml)(upstream.url);
  const { config } = parseConfig(yaml, {});
  const logs = new LogCapture();
  const logger = createLogger("info", logs);
  const gateway = await startGateway({ config, logger, validateResponses: true });
  return {
    upstream,
    gateway,
    config,
    logs,
    url: gateway.url,
    async close() {
      await gateway.close();
      await upstream.close();
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TENANT_KEY}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Reads an SSE response into its `data:` payloads. */
export async function readSse(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => e.replace(/^data: /, ""));
}

/** The OpenAI error envelope of a response, which must be JSON. */
export async function errorOf(res: Response): Promise<{ message: string; type: string; code: string | null }> {
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  return ((await res.json()) as { error: { message: string; type: string; code: string | null } }).error;
}

/** The requests the mock upstream received for one upstream model. */
export const upstreamRequestsFor = (upstream: MockUpstream, upstreamModel: string): RecordedRequest[] =>
  upstream.requests.filter((r) => (r.body as { model?: string } | undefined)?.model === upstreamModel);

/** A YAML deployment list of two: `<name>-p` on `first`, then `<name>-b` on the `backup` provider. */
export const fallbackPair = (name: string, first = "primary") => `[{ provider: ${first}, model: ${name}-p }, { provider: backup, model: ${name}-b }]`;
