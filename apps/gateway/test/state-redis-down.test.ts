// When Redis goes away: /health says so, requests fail clearly, and shutdown still completes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, postJson, testConfigYaml } from "./harness";
import { startRedis, type RedisServer } from "./redis-server";

let redis: RedisServer;
let gw: RunningGateway;

beforeAll(async () => {
  redis = await startRedis();
  // An embeddings model on an unreachable upstream: the refusal must come from admission, before any call.
  const yaml = testConfigYaml("http://127.0.0.1:9", `state: { redis_url: "${redis.url}", redis_prefix: "down-test:" }\n`).replace(
    "models:\n",
    "models:\n  text-embedding-3-small:\n    capabilities: [embeddings]\n    deployments: [{ provider: openai, model: text-embedding-3-small }]\n",
  );
  const { config } = parseConfig(yaml, {});
  gw = await startGateway({ config, logger: createLogger("silent", new LogCapture()) });
});
afterAll(async () => {
  await gw?.close();
  await redis?.stop();
});

describe("Redis becoming unreachable", () => {
  it("reports the state backend unhealthy, refuses every model route with a clear 503, and still shuts down promptly", async () => {
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    await redis.stop();
    const health = await fetch(`${gw.url}/health`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { components: { state: { status: string } } };
    expect(body.components.state.status).toBe("unhealthy");

    // Every model route fails closed the same way (one admission for all), in its own error envelope.
    const chat = { model: "mock-echo", messages: [{ role: "user", content: "hi" }] };
    const calls: Array<{ path: string; body: unknown; anthropic?: boolean }> = [
      { path: "/v1/chat/completions", body: chat },
      { path: "/v1/chat/completions", body: { ...chat, stream: true } },
      { path: "/v1/chat/stream", body: chat },
      { path: "/v1/messages", body: { model: "mock-echo", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }, anthropic: true },
      { path: "/v1/embeddings", body: { model: "text-embedding-3-small", input: "hi" } },
    ];
    // Concurrently: each one rides out ioredis's reconnect attempts (about 3 s) before it fails.
    const answers = await Promise.all(calls.map((call) => postJson(`${gw.url}${call.path}`, call.body)));
    for (const [i, call] of calls.entries()) {
      const res = answers[i]!;
      const what = `${call.path} ${JSON.stringify(call.body).slice(0, 60)}`;
      // 503 on /v1/messages too: this instance is unavailable, not the model overloaded (Anthropic's 529).
      expect(res.status, what).toBe(503);
      expect(res.headers.get("retry-after"), what).toBe("1");
      expect(res.headers.get("content-type"), what).toMatch(/^application\/json/);
      const body = (await res.json()) as { type?: string; error: { type: string; code?: string; message: string } };
      if (call.anthropic) expect(body.type, what).toBe("error");
      else expect(body.error.code, what).toBe("state_unavailable");
      expect(body.error.message, what).toMatch(/cannot reach its state backend/);
    }

    const t0 = Date.now();
    await gw.close();
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});
