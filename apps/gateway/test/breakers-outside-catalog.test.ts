// Models outside the catalog (model_patterns, `<provider>/<model>`) each have their own circuit breaker, as
// catalog deployments do: one such model rate-limited by its upstream holds back no other model of the
// same provider (OpenAI's limits are per model). The registry keeps a bounded number of these breakers
// (resilience/breaker-registry.test.ts covers the bound).
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { errorOf, LogCapture, postJson, tempSqlitePath } from "./harness";

let upstream: MockUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const { config } = parseConfig(
    `
server: { host: 127.0.0.1, port: 0 }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 0 }
providers:
  oai: { type: openai, base_url: "${upstream.url}/v1", api_key: sk-oai-upstream, model_patterns: ["gpt-*", "text-embedding-*"] }
  ant: { type: anthropic, base_url: "${upstream.url}", api_key: sk-ant-upstream, model_patterns: ["claude-*"] }
models:
  chat-a: { deployments: [{ provider: oai, model: gpt-4o-mini }] }
tenants:
  - { id: tenant-a, keys: [sk-test-tenant-a-0123456789] }
`,
    {},
  );
  gateway = await startGateway({ config, logger: createLogger("silent", new LogCapture()) });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const chat = (model: string) => postJson(`${gateway.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "hi" }] });
const embed = (model: string) => postJson(`${gateway.url}/v1/embeddings`, { model, input: "hi" });
type Breakers = Record<string, { state: string }>;
type ProviderHealth = { breakers?: Breakers; outside_catalog?: { breakers: number; open: number; half_open: number } };
const healthOf = async (provider: string): Promise<{ details: ProviderHealth; message: string; text: string }> => {
  const text = await (await fetch(`${gateway.url}/health`)).text();
  const providers = (JSON.parse(text) as { components: { providers: { message: string; details: Record<string, ProviderHealth> } } }).components.providers;
  return { details: providers.details[provider] ?? {}, message: providers.message, text };
};
/** The breakers by model as the dashboard (behind its access) shows them. */
const breakersOf = async (provider: string): Promise<Breakers> => {
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  const states: Breakers = {};
  for (const m of metrics.matchAll(/runestone_breaker_state\{provider="([^"]+)",deployment="([^"]+)"\} (\d)/g)) {
    if (m[1] === provider) states[m[2]!] = { state: ["closed", "half_open", "open"][Number(m[3])]! };
  }
  return states;
};

describe("circuit breakers of models outside the catalog", () => {
  it("one model rate-limited upstream opens its own breaker only: the provider's other models, chat and embeddings, still answer", async () => {
    expect((await chat("gpt-7-beta")).status).toBe(200);
    upstream.behave({ status: 429, retryAfter: 30 }, { model: "gpt-7-alpha", times: 100 });
    expect((await chat("gpt-7-alpha")).status).toBe(429);
    // Its breaker is open for the 30 s asked: the gateway fails fast without calling the upstream.
    const fast = await chat("gpt-7-alpha");
    expect(fast.status).toBe(503);
    expect((await errorOf(fast)).code).toBe("provider_unavailable");

    for (const model of ["gpt-7-beta", "oai/gpt-7-gamma", "gpt-4o-mini"]) expect([model, (await chat(model)).status]).toEqual([model, 200]);
    expect((await embed("text-embedding-9")).status).toBe(200);

    const oai = await breakersOf("oai");
    expect(oai["gpt-7-alpha"]?.state).toBe("open");
    expect(oai["gpt-7-beta"]?.state).toBe("closed");
    expect(oai["gpt-7-gamma"]?.state).toBe("closed");
    expect(oai["*"]).toBeUndefined();

    // /health needs no key: it counts these breakers but never names a model a client sent.
    const health = await healthOf("oai");
    expect(health.details.outside_catalog).toMatchObject({ open: 1, half_open: 0 });
    expect(health.details.outside_catalog!.breakers).toBeGreaterThanOrEqual(3);
    expect(health.message).toMatch(/1 circuit breaker\(s\) of models outside the catalog not closed/);
    for (const name of ["gpt-7-alpha", "gpt-7-beta", "gpt-7-gamma", "text-embedding-9"]) expect(health.text).not.toContain(name);

    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/runestone_breaker_state\{provider="oai",deployment="gpt-7-alpha"\} 2/);
    expect(metrics).toMatch(/runestone_breaker_state\{provider="oai",deployment="gpt-7-beta"\} 0/);
  });

  it("the same for model names matched by an Anthropic provider's patterns", async () => {
    upstream.behave({ status: 429, retryAfter: 30 }, { model: "claude-x-alpha", times: 100 });
    expect((await chat("claude-x-alpha")).status).toBe(429);
    expect((await chat("claude-x-alpha")).status).toBe(503);
    expect((await chat("claude-x-beta")).status).toBe(200);
    expect((await chat("ant/claude-x-gamma")).status).toBe(200);
    const ant = await breakersOf("ant");
    expect(ant["claude-x-alpha"]?.state).toBe("open");
    expect(ant["claude-x-beta"]?.state).toBe("closed");
  });
});
