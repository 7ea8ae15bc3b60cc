// The seed document's own examples (/work/shared/seed: its curl examples and the calls of its Python client,
// replayed with plain HTTP as that client makes them, Bearer header on every call including health), on the
// shipped default config with OPENAI_API_KEY and ANTHROPIC_API_KEY set and both base URLs at the mock
// upstream. Each must answer, and the upstream must see the model id the example names (issue 15).
import { readFileSync } from "node:fs";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfigPath, parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, readSse, tempSqlitePath } from "./harness";

const YOUR_API_KEY = "sk-runestone-dev";
let upstream: MockUpstream;
let gw: RunningGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const env = { OPENAI_API_KEY: "sk-seed-openai", OPENAI_BASE_URL: `${upstream.url}/v1`, ANTHROPIC_API_KEY: "sk-ant-seed", ANTHROPIC_BASE_URL: upstream.url, RUNESTONE_DATA_FILE: tempSqlitePath() };
  const { config } = parseConfig(readFileSync(defaultConfigPath, "utf8"), env);
  gw = await startGateway({ config, logger: createLogger("silent", new LogCapture()), port: 0, validateResponses: true });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

/** As the seed's Python client sends every request: JSON, with the Bearer key. */
const call = (method: string, path: string, body?: unknown) =>
  fetch(`${gw.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${YOUR_API_KEY}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const upstreamModel = (path: string) => (upstream.requests.filter((r) => r.path === path).at(-1)?.body as { model?: string } | undefined)?.model;

describe("the seed's curl examples", () => {
  it("Basic Chat Completion: gpt-4o-mini", async () => {
    const res = await call("POST", "/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello!" }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ object: "chat.completion", provider: "openai", routing_policy: "default" });
    expect(typeof body.request_id).toBe("string");
    expect(upstreamModel("/v1/chat/completions")).toBe("gpt-4o-mini");
  });

  it("Streaming with Provider Selection: provider openai, gpt-4o-mini, tenant_id my-tenant on /v1/chat/stream", async () => {
    const res = await call("POST", "/v1/chat/stream", { provider: "openai", model: "gpt-4o-mini", messages: [{ role: "user", content: "Tell me a story" }], tenant_id: "my-tenant" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    expect(JSON.parse(events[0]!)).toMatchObject({ provider: "openai", routing_policy: "default" });
    expect(upstreamModel("/v1/chat/completions")).toBe("gpt-4o-mini");
  });

  it("Streaming with Provider Selection: provider anthropic, claude-3-5-sonnet", async () => {
    const res = await call("POST", "/v1/chat/stream", { provider: "anthropic", model: "claude-3-5-sonnet", messages: [{ role: "user", content: "Tell me a story" }] });
    expect(res.status).toBe(200);
    expect((await readSse(res)).at(-1)).toBe("[DONE]");
    expect(upstreamModel("/v1/messages")).toBe("claude-3-5-sonnet");
  });

  it("Cost-Optimized Routing: no model, family general, a budget and capabilities", async () => {
    const res = await call("POST", "/v1/chat/completions", {
      messages: [{ role: "user", content: "Summarize this" }],
      model_family: "general",
      max_cost_per_token: 0.0001,
      capabilities: ["chat", "streaming"],
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { routing_policy: string }).routing_policy).toBe("cost");
    // A priced real model, never the echo mock when real providers can serve.
    expect(res.headers.get("x-runestone-provider")).not.toBe("mock");
  });
});

describe("the seed's Python client, replayed over plain HTTP", () => {
  it("health, liveness and readiness, with the Bearer header the client always sends", async () => {
    for (const path of ["/health", "/health/live", "/health/ready"]) {
      const res = await call("GET", path);
      expect(res.status, path).toBe(200);
    }
  });

  it("lists models and gets one, including a pattern-matched name", async () => {
    const list = (await (await call("GET", "/v1/models")).json()) as { object: string; data: Array<{ id: string; available: boolean }> };
    expect(list.object).toBe("list");
    expect(list.data.filter((m) => m.available).map((m) => m.id)).toEqual(expect.arrayContaining(["gpt-6-luna", "claude-sonnet-5-5", "mock-echo"]));
    for (const id of ["gpt-4o-mini", "claude-3-5-sonnet"]) {
      const res = await call("GET", `/v1/models/${id}`);
      expect(res.status, id).toBe(200);
      expect(((await res.json()) as { id: string }).id).toBe(id);
    }
  });

  it("chat, chat with stream: true, and the cost-aware chat", async () => {
    const plain = await call("POST", "/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello!" }], temperature: 0.7, max_tokens: 100 });
    expect(plain.status).toBe(200);
    const streamed = await call("POST", "/v1/chat/completions", { model: "claude-3-5-sonnet", messages: [{ role: "user", content: "Hello!" }], stream: true });
    expect((await readSse(streamed)).at(-1)).toBe("[DONE]");
    expect(upstreamModel("/v1/messages")).toBe("claude-3-5-sonnet");
    const cheap = await call("POST", "/v1/chat/completions", { messages: [{ role: "user", content: "Hello!" }], routing_policy: "cost", max_cost_per_token: 0.00001 });
    expect(cheap.status).toBe(200);
  });
});
