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
  const { config } = parseConfig(testConfigYaml("http://127.0.0.1:9", `state: { redis_url: "${redis.url}", redis_prefix: "down-test:" }\n`), {});
  gw = await startGateway({ config, logger: createLogger("silent", new LogCapture()) });
});
afterAll(async () => {
  await gw?.close();
  await redis?.stop();
});

describe("Redis becoming unreachable", () => {
  it("reports the state backend unhealthy, refuses chat with a clear 503, and still shuts down promptly", async () => {
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    await redis.stop();
    const health = await fetch(`${gw.url}/health`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { components: { state: { status: string } } };
    expect(body.components.state.status).toBe("unhealthy");

    const res = await postJson(`${gw.url}/v1/chat/completions`, { model: "mock-echo", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.status).toBeLessThan(600);
    const err = (await res.json()) as { error: { type: string; message: string } };
    expect(err.error.message.length).toBeGreaterThan(0);

    const t0 = Date.now();
    await gw.close();
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});
