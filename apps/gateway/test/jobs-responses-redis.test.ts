// Queued Responses API requests in Redis mode: two gateway instances on one real redis-server share the
// tenant's slot, the queue, every job's record and the stored responses, so a Responses request queued on
// one instance is read, retrieved and continued on the other.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture } from "./harness";
import { chat, enqueue, getJob, holdSlot, say, upstreamSaw, waitFinal } from "./jobs-harness";
import { enqueueResponse, getResponse, NOSY_KEY, outputText, postResponse, QUEUE_KEY, responsesJobsConfigYaml } from "./jobs-responses-harness";
import { startRedis, type RedisServer } from "./redis-server";

const PREFIX = "resp-jobs-redis-test:";
let upstream: MockUpstream;
let redis: RedisServer;
let one: RunningGateway;
let two: RunningGateway;

async function instance(): Promise<RunningGateway> {
  const { config } = parseConfig(responsesJobsConfigYaml(upstream.url, { redisUrl: redis.url, redisPrefix: PREFIX }), {});
  return startGateway({ config, logger: createLogger("warn", new LogCapture()), validateResponses: true });
}

beforeAll(async () => {
  upstream = await startMockUpstream();
  redis = await startRedis();
  one = await instance();
  two = await instance();
  for (const g of [one, two]) expect((await chat(g.url, NOSY_KEY, say("fast", "warm-up"))).status).toBe(200);
});

afterAll(async () => {
  await one?.close();
  await two?.close();
  await upstream?.close();
  await redis?.stop();
});

describe("queued Responses API requests (Redis mode)", () => {
  it("queues a Responses request on one instance while the other holds the slot; either instance serves its response, stored in Redis and continued with previous_response_id", async () => {
    const held = await holdSlot(upstream, one.url, QUEUE_KEY, "rr-holder-1");
    const queued = await enqueueResponse(two.url, QUEUE_KEY, { model: "falls-back", input: "rr-queued-1", request_id: "rr-order-1" });
    expect((await getJob(one.url, QUEUE_KEY, queued.job_id)).body).toMatchObject({ kind: "response", status: "queued", queue_position: 1, result: null, response: null });
    expect((await getJob(one.url, NOSY_KEY, queued.job_id)).status).toBe(404);
    held.release();
    const done = await waitFinal(one.url, QUEUE_KEY, queued.job_id);
    expect(done).toMatchObject({ kind: "response", status: "succeeded", attempts: 1, result: null, response: { object: "response", status: "completed", provider: "compat", request_id: "rr-order-1" } });
    expect(outputText(done.response)).toBe("echo: rr-queued-1");
    expect((await getJob(two.url, QUEUE_KEY, queued.job_id)).body.response).toEqual(done.response);

    for (const g of [one, two]) expect((await getResponse(g.url, QUEUE_KEY, done.response.id)).body).toEqual(done.response);
    expect((await getResponse(one.url, NOSY_KEY, done.response.id)).status).toBe(404);

    const next = await postResponse(two.url, QUEUE_KEY, { model: "fast", input: "rr-follow-up-1", previous_response_id: done.response.id });
    expect(next.status).toBe(200);
    await next.text();
    const replayed = JSON.stringify((upstreamSaw(upstream, "rr-follow-up-1")[0]!.body as { input: unknown }).input);
    expect(replayed).toContain("rr-queued-1");
    expect(replayed).toContain("echo: rr-queued-1");
  });

  it("refuses a streaming Responses request over the shared limit with 429", async () => {
    const held = await holdSlot(upstream, two.url, QUEUE_KEY, "rr-holder-2");
    const res = await postResponse(one.url, QUEUE_KEY, { model: "fast", input: "rr-stream-over", stream: true });
    expect(res.status).toBe(429);
    expect(((await res.json()) as any).error.code).toBe("rate_limit_exceeded");
    held.release();
    expect(upstreamSaw(upstream, "rr-stream-over")).toHaveLength(0);
  });

  it("runs and serves a job whose record has no kind (written before jobs had kinds) as a chat job", async () => {
    const held = await holdSlot(upstream, one.url, QUEUE_KEY, "rr-holder-3");
    const queued = await enqueue(one.url, QUEUE_KEY, say("fast", "rr-old-shape"));
    const client = new Redis(redis.url);
    try {
      expect(await client.hget(`${PREFIX}job:${queued.job_id}`, "kind")).toBe("chat.completion");
      expect(await client.hdel(`${PREFIX}job:${queued.job_id}`, "kind")).toBe(1);
    } finally {
      client.disconnect();
    }
    expect((await getJob(two.url, QUEUE_KEY, queued.job_id)).body).toMatchObject({ kind: "chat.completion", status: "queued" });
    held.release();
    const done = await waitFinal(two.url, QUEUE_KEY, queued.job_id);
    expect(done).toMatchObject({ kind: "chat.completion", status: "succeeded", response: null, result: { object: "chat.completion", choices: [{ message: { content: "echo: rr-old-shape" } }] } });
    expect(upstreamSaw(upstream, "rr-old-shape")[0]!.path).toBe("/v1/chat/completions");
  });
});
