// Every answer says what happened to it: who served it, under which policy, after how many fallbacks,
// and how long the gateway itself took; streamed or not, routed by name or by cost.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, postJson, readSse, startHarness, testConfigYaml, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const chat = () => `${h.url}/v1/chat/completions`;
const hi = [{ role: "user", content: "hi there" }];

function expectRoutingHeaders(res: Response, provider: string, model: string, policy: string, fallbacks: number) {
  expect(res.headers.get("x-request-id")).toBeTruthy();
  expect(res.headers.get("x-runestone-provider")).toBe(provider);
  expect(res.headers.get("x-runestone-model")).toBe(model);
  expect(res.headers.get("x-runestone-routing-policy")).toBe(policy);
  expect(res.headers.get("x-runestone-fallbacks")).toBe(String(fallbacks));
  expect(Number(res.headers.get("x-runestone-overhead-ms"))).toBeGreaterThanOrEqual(0);
}

async function expectBody(res: Response, provider: string, policy: string) {
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ object: "chat.completion", provider, routing_policy: policy, request_id: res.headers.get("x-request-id") });
}

async function expectStream(res: Response, provider: string, policy: string) {
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const events = await readSse(res);
  expect(events.at(-1)).toBe("[DONE]");
  const first = JSON.parse(events[0]!);
  expect(first).toMatchObject({ provider, routing_policy: policy, request_id: res.headers.get("x-request-id") });
  expect(first.choices[0].delta.role).toBe("assistant");
}

describe("routing metadata", () => {
  it("is on a plain answer from a model asked for by name", async () => {
    const res = await postJson(chat(), { model: "gpt-4o-mini", messages: hi });
    expectRoutingHeaders(res, "openai", "gpt-4o-mini", "default", 0);
    await expectBody(res, "openai", "default");
  });

  it("is on a streamed answer: headers and the first chunk", async () => {
    const res = await postJson(chat(), { model: "gpt-4o-mini", stream: true, messages: hi });
    expectRoutingHeaders(res, "openai", "gpt-4o-mini", "default", 0);
    await expectStream(res, "openai", "default");
  });

  it("is on POST /v1/chat/stream answers", async () => {
    const res = await postJson(`${h.url}/v1/chat/stream`, { model: "mock-echo", messages: hi });
    expectRoutingHeaders(res, "mock", "mock-echo", "default", 0);
    await expectStream(res, "mock", "default");
  });

  it("names the backup and counts the fallback after the primary failed, streamed or not", async () => {
    for (const stream of [false, true]) {
      h.upstream.behave({ status: 500 }, { times: 1, model: "primary-model" });
      const res = await postJson(chat(), { model: "gpt-4o-fallback", stream, messages: hi });
      expectRoutingHeaders(res, "backup", "gpt-4o-fallback", "default", 1);
      if (stream) await expectStream(res, "backup", "default");
      else await expectBody(res, "backup", "default");
    }
  });

  it("says cost and names the chosen model when the gateway chose it", async () => {
    for (const stream of [false, true]) {
      const res = await postJson(chat(), { capabilities: ["chat", "vision"], stream, messages: hi });
      expectRoutingHeaders(res, "openai", "gpt-4o-mini", "cost", 0);
      if (stream) await expectStream(res, "openai", "cost");
      else await expectBody(res, "openai", "cost");
    }
  });

  it("echoes the client's request_id in the header and the body", async () => {
    const res = await postJson(chat(), { model: "mock-echo", request_id: "order-7431", messages: hi });
    expect(res.headers.get("x-request-id")).toBe("order-7431");
    expect(((await res.json()) as { request_id: string }).request_id).toBe("order-7431");
  });

  it("keeps upstream wait out of the overhead figure", async () => {
    h.upstream.behave({ latencyMs: 1_000 }, { times: 1, model: "gpt-4o-mini" });
    const res = await postJson(chat(), { model: "gpt-4o-mini", messages: hi });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("x-runestone-overhead-ms"))).toBeLessThan(1_000);
  });

  it("is on errors: the request id always, the policy once the request was routed", async () => {
    const noRoute = await postJson(chat(), { model_family: "poetry", messages: hi });
    expect(noRoute.status).toBe(400);
    expect(noRoute.headers.get("x-request-id")).toBeTruthy();
    expect(((await noRoute.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: "no_route", param: "model_family" });

    h.upstream.behave({ status: 400 }, { times: 1, model: "gpt-4o-mini" });
    const rejected = await postJson(chat(), { model: "gpt-4o-mini", messages: hi });
    expect(rejected.status).toBe(400);
    expect(rejected.headers.get("x-request-id")).toBeTruthy();
    expect(rejected.headers.get("x-runestone-routing-policy")).toBe("default");
  });
});

describe("the default policy", () => {
  it("comes from RUNESTONE_ROUTER_POLICY, and a request may still choose its own", async () => {
    const { config } = parseConfig(testConfigYaml(h.upstream.url), { RUNESTONE_ROUTER_POLICY: "cost" });
    const gw = await startGateway({ config, logger: createLogger("silent", new LogCapture()), validateResponses: true });
    try {
      const byEnv = await postJson(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: hi });
      expect(byEnv.headers.get("x-runestone-routing-policy")).toBe("cost");
      await expectBody(byEnv, "openai", "cost");
      const chosen = await postJson(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", routing_policy: "default", messages: hi });
      await expectBody(chosen, "openai", "default");
    } finally {
      await gw.close();
    }
  });
});
