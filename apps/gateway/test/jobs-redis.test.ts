// The overflow queue in Redis mode: two gateway instances sharing one real redis-server share the
// tenant's slot, the queue, and every job's record, so either one can read or cancel any job.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture } from "./harness";
import { cancelJob, chat, enqueue, getJob, holdSlot, jobsConfigYaml, NOSY_KEY, QUEUE_KEY, say, upstreamSaw, waitFinal } from "./jobs-harness";
import { startRedis, type RedisServer } from "./redis-server";

let upstream: MockUpstream;
let redis: RedisServer;
let one: RunningGateway;
let two: RunningGateway;

async function instance(): Promise<RunningGateway> {
  const { config } = parseConfig(jobsConfigYaml(upstream.url, { redisUrl: redis.url, redisPrefix: "jobs-redis-test:" }), {});
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

describe("the overflow queue (Redis mode)", () => {
  it("shares the tenant's slot: a request on the second instance queues while the first holds it, and either instance reads its result", async () => {
    const held = await holdSlot(upstream, one.url, QUEUE_KEY, "r-holder-1");
    const queued = await enqueue(two.url, QUEUE_KEY, say("fast", "r-shared", { request_id: "r-order-1" }));
    const seen = await getJob(one.url, QUEUE_KEY, queued.job_id);
    expect(seen.body).toMatchObject({ status: "queued", queue_position: 1, attempts: 0 });
    held.release();
    const done = await waitFinal(one.url, QUEUE_KEY, queued.job_id);
    expect(done).toMatchObject({ status: "succeeded", attempts: 1, result: { object: "chat.completion", request_id: "r-order-1", provider: "openai" } });
    expect((await getJob(two.url, QUEUE_KEY, queued.job_id)).body.status).toBe("succeeded");
    expect(upstreamSaw(upstream, "r-shared")).toHaveLength(1);
  });

  it("cancels from one instance a job queued on the other, so it never runs", async () => {
    const held = await holdSlot(upstream, one.url, QUEUE_KEY, "r-holder-2");
    const queued = await enqueue(one.url, QUEUE_KEY, say("fast", "r-cancel-queued"));
    const behind = await enqueue(one.url, QUEUE_KEY, say("fast", "r-behind"));
    const cancelled = await cancelJob(two.url, QUEUE_KEY, queued.job_id);
    expect(cancelled).toMatchObject({ status: 200, body: { status: "cancelled", attempts: 0 } });
    held.release();
    expect((await waitFinal(two.url, QUEUE_KEY, behind.job_id)).status).toBe("succeeded");
    expect(upstreamSaw(upstream, "r-cancel-queued")).toHaveLength(0);
    expect((await cancelJob(one.url, QUEUE_KEY, queued.job_id)).status).toBe(409);
  });

  it("cancels from either instance a running job, aborting its upstream request wherever it runs", async () => {
    const held = await holdSlot(upstream, one.url, QUEUE_KEY, "r-holder-3");
    const queued = await enqueue(one.url, QUEUE_KEY, say("stalls", "r-cancel-running"));
    held.release();
    await upstream.waitFor(() => upstreamSaw(upstream, "r-cancel-running").length === 1, 10_000);
    for (const g of [one, two]) expect((await getJob(g.url, QUEUE_KEY, queued.job_id)).body.status).toBe("running");
    expect((await cancelJob(two.url, QUEUE_KEY, queued.job_id)).body).toMatchObject({ status: "cancelled", attempts: 1 });
    await upstream.waitFor(() => upstreamSaw(upstream, "r-cancel-running")[0]!.clientClosedAt !== undefined, 5_000);
  });

  it("bounds the tenant's queue across instances and answers 429 queue_full past it", async () => {
    const held = await holdSlot(upstream, two.url, QUEUE_KEY, "r-holder-4");
    const jobs = [await enqueue(one.url, QUEUE_KEY, say("fast", "r-fill-0")), await enqueue(two.url, QUEUE_KEY, say("fast", "r-fill-1")), await enqueue(one.url, QUEUE_KEY, say("fast", "r-fill-2"))];
    const full = await chat(two.url, QUEUE_KEY, say("fast", "r-one-too-many"));
    expect(full.status).toBe(429);
    expect(((await full.json()) as any).error.code).toBe("queue_full");
    held.release();
    for (const j of jobs) expect((await waitFinal(one.url, QUEUE_KEY, j.job_id)).status).toBe("succeeded");
  });

  it("keeps a tenant's jobs invisible to another tenant on every instance", async () => {
    const held = await holdSlot(upstream, one.url, QUEUE_KEY, "r-holder-5");
    const queued = await enqueue(one.url, QUEUE_KEY, say("fast", "r-private"));
    for (const g of [one, two]) {
      expect((await getJob(g.url, NOSY_KEY, queued.job_id)).status).toBe(404);
      expect((await cancelJob(g.url, NOSY_KEY, queued.job_id)).status).toBe(404);
    }
    held.release();
    expect((await waitFinal(two.url, QUEUE_KEY, queued.job_id)).status).toBe("succeeded");
  });
});
