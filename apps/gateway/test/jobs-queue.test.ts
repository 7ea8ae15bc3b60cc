// The overflow queue end to end in embedded mode: a real gateway with the real admission, the real
// mock upstream, and the jobs in a SQLite file in a temp dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture } from "./harness";
import { cancelJob, chat, enqueue, getJob, holdSlot as sharedHoldSlot, jobsConfigYaml, upstreamSaw as sawOn, NOSY_KEY, QUEUE_KEY, REJECT_KEY, RPM_KEY, say, waitFinal } from "./jobs-harness";

let upstream: MockUpstream;
let dir: string;
const gateways: RunningGateway[] = [];

async function gateway(queue?: string): Promise<RunningGateway> {
  const { config } = parseConfig(jobsConfigYaml(upstream.url, { sqlitePath: join(dir, `jobs-${gateways.length}.db`), queue }), {});
  const gw = await startGateway({ config, logger: createLogger("warn", new LogCapture()), validateResponses: true });
  gateways.push(gw);
  return gw;
}

const upstreamSaw = (marker: string) => sawOn(upstream, marker);

const holdSlot = (base: string, key: string, marker: string) => sharedHoldSlot(upstream, base, key, marker);

beforeAll(async () => {
  upstream = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), "runestone-jobs-"));
});

afterAll(async () => {
  for (const g of gateways) await g.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the overflow queue (embedded)", () => {
  let base: string;
  beforeAll(async () => {
    base = (await gateway()).url;
    // The first request compiles the spec's validators; keep that out of the tests' timing.
    expect((await chat(base, NOSY_KEY, say("fast", "warm-up"))).status).toBe(200);
    expect((await getJob(base, NOSY_KEY, "job_warm_up")).status).toBe(404);
  });

  it("answers 202 with a job id when the tenant is at its limit, and the job later holds the whole completion", async () => {
    const held = await holdSlot(base, QUEUE_KEY, "holder-1");
    const res = await chat(base, QUEUE_KEY, say("fast", "queued-1", { request_id: "order-1" }));
    expect(res.status).toBe(202);
    const queued = (await res.json()) as { job_id: string; message: string; estimated_wait_time: number };
    expect(queued).toMatchObject({ request_id: "order-1", status_url: `/v1/jobs/${queued.job_id}` });
    expect(queued.message).toMatch(/queued/i);
    expect(queued.estimated_wait_time).toBeGreaterThanOrEqual(0);

    const first = await getJob(base, QUEUE_KEY, queued.job_id);
    expect(first.body).toMatchObject({ id: queued.job_id, object: "job", status: "queued", queue_position: 1, attempts: 0, result: null, request_id: "order-1" });
    held.release();

    const done = await waitFinal(base, QUEUE_KEY, queued.job_id);
    expect(done).toMatchObject({ status: "succeeded", attempts: 1, queue_position: null, error: null });
    expect(done.result).toMatchObject({ object: "chat.completion", provider: "openai", routing_policy: "default", request_id: "order-1" });
    expect(done.result.choices[0].message.content).toBe("echo: queued-1");
    expect(done.started_at).toBeGreaterThanOrEqual(done.created_at);
    expect(upstreamSaw("queued-1")).toHaveLength(1);
  });

  it("reports queue positions in order for a tenant's waiting jobs", async () => {
    const held = await holdSlot(base, QUEUE_KEY, "holder-2");
    const a = await enqueue(base, QUEUE_KEY, say("fast", "pos-a"));
    const b = await enqueue(base, QUEUE_KEY, say("fast", "pos-b"));
    expect((await getJob(base, QUEUE_KEY, a.job_id)).body.queue_position).toBe(1);
    expect((await getJob(base, QUEUE_KEY, b.job_id)).body.queue_position).toBe(2);
    held.release();
    expect((await waitFinal(base, QUEUE_KEY, a.job_id)).status).toBe("succeeded");
    expect((await waitFinal(base, QUEUE_KEY, b.job_id)).status).toBe("succeeded");
  });

  it("refuses a streaming request of a queueing tenant with 429 unless it asks for the queue, as a stock SDK cannot read a 202", async () => {
    const held = await holdSlot(base, QUEUE_KEY, "stream-holder");
    for (const path of ["/v1/chat/completions", "/v1/chat/stream"]) {
      const refused = await fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${QUEUE_KEY}` },
        body: JSON.stringify(say("fast", "stream-not-queued", { stream: true })),
      });
      expect(refused.status, path).toBe(429);
      expect(((await refused.json()) as any).error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    // A client that reads a stream's 202 (@runestone/sdk) asks for the tenant's own mode: queued.
    const tenantMode = await chat(base, QUEUE_KEY, say("fast", "stream-tenant-mode", { stream: true }), { "x-runestone-overflow": "tenant" });
    expect(tenantMode.status).toBe(202);
    const job = (await tenantMode.json()) as { job_id: string };
    held.release();
    expect(upstreamSaw("stream-not-queued")).toHaveLength(0);
    expect((await waitFinal(base, QUEUE_KEY, job.job_id)).status).toBe("succeeded");
  });

  it("refuses a stream of a tenant that rejects overflow when it asks for the tenant's mode", async () => {
    const held = await holdSlot(base, REJECT_KEY, "stream-reject-holder");
    const res = await chat(base, REJECT_KEY, say("fast", "stream-tenant-reject", { stream: true }), { "x-runestone-overflow": "tenant" });
    expect(res.status).toBe(429);
    held.release();
  });

  it("queues a streaming request that asks for the queue, and its result is the whole completion", async () => {
    const held = await holdSlot(base, QUEUE_KEY, "holder-3");
    const res = await chat(base, QUEUE_KEY, say("fast", "streamed-job", { stream: true, stream_options: { include_usage: true } }), { "x-runestone-overflow": "queue" });
    expect(res.status).toBe(202);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const queued = (await res.json()) as { job_id: string; message: string; estimated_wait_time: number };
    held.release();
    const done = await waitFinal(base, QUEUE_KEY, queued.job_id);
    expect(done).toMatchObject({ status: "succeeded", stream: true });
    expect(done.result.object).toBe("chat.completion");
    expect(done.result.choices[0].message.content).toBe("echo: streamed-job");
    const sent = upstreamSaw("streamed-job");
    expect(sent).toHaveLength(1);
    expect((sent[0]!.body as Record<string, unknown>).stream).toBeUndefined();
  });

  it("refuses with 429 for a tenant that rejects overflow, unless the request opts into the queue", async () => {
    const held = await holdSlot(base, REJECT_KEY, "holder-4");
    const refused = await chat(base, REJECT_KEY, say("fast", "rejected"));
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

    const optedIn = await enqueue(base, REJECT_KEY, say("fast", "opted-in"), { "x-runestone-overflow": "queue" });
    held.release();
    expect((await waitFinal(base, REJECT_KEY, optedIn.job_id)).status).toBe("succeeded");
  });

  it("lets a request of a queueing tenant ask to be refused instead", async () => {
    const held = await holdSlot(base, QUEUE_KEY, "holder-5");
    const res = await chat(base, QUEUE_KEY, say("fast", "no-queue-please"), { "x-runestone-overflow": "reject" });
    expect(res.status).toBe(429);
    held.release();
    expect(upstreamSaw("no-queue-please")).toHaveLength(0);
  });

  it("answers 429 queue_full with Retry-After when the tenant's queue is full", async () => {
    const held = await holdSlot(base, QUEUE_KEY, "holder-6");
    const jobs = [];
    for (let i = 0; i < 3; i++) jobs.push(await enqueue(base, QUEUE_KEY, say("fast", `fill-${i}`)));
    const full = await chat(base, QUEUE_KEY, say("fast", "one-too-many"));
    expect(full.status).toBe(429);
    expect(((await full.json()) as any).error).toMatchObject({ type: "rate_limit_error", code: "queue_full" });
    expect(Number(full.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    held.release();
    for (const j of jobs) expect((await waitFinal(base, QUEUE_KEY, j.job_id)).status).toBe("succeeded");
    expect(upstreamSaw("one-too-many")).toHaveLength(0);
  });

  it("cancels a queued job so that it never reaches the upstream", async () => {
    const held = await holdSlot(base, QUEUE_KEY, "holder-7");
    const queued = await enqueue(base, QUEUE_KEY, say("fast", "cancel-me-queued"));
    const behind = await enqueue(base, QUEUE_KEY, say("fast", "behind-the-cancelled"));
    const cancelled = await cancelJob(base, QUEUE_KEY, queued.job_id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", attempts: 0, error: { code: "job_cancelled" } });
    expect((await getJob(base, QUEUE_KEY, behind.job_id)).body.queue_position).toBe(1);
    held.release();
    // The job queued behind it runs, so the cancelled one had its turn to (wrongly) run first.
    expect((await waitFinal(base, QUEUE_KEY, behind.job_id)).status).toBe("succeeded");
    expect(upstreamSaw("cancel-me-queued")).toHaveLength(0);
    expect((await getJob(base, QUEUE_KEY, queued.job_id)).body.status).toBe("cancelled");
    const again = await cancelJob(base, QUEUE_KEY, queued.job_id);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("job_not_cancellable");
  });

  it("cancels a running job by aborting its upstream request", async () => {
    const held = await holdSlot(base, QUEUE_KEY, "holder-8");
    const queued = await enqueue(base, QUEUE_KEY, say("stalls", "cancel-me-running"));
    held.release();
    await upstream.waitFor(() => upstreamSaw("cancel-me-running").length === 1, 5_000);
    expect((await getJob(base, QUEUE_KEY, queued.job_id)).body.status).toBe("running");
    const cancelled = await cancelJob(base, QUEUE_KEY, queued.job_id);
    expect(cancelled.body).toMatchObject({ status: "cancelled", attempts: 1 });
    await upstream.waitFor(() => upstreamSaw("cancel-me-running")[0]!.clientClosedAt !== undefined, 5_000);
    expect((await getJob(base, QUEUE_KEY, queued.job_id)).body.status).toBe("cancelled");
  });

  it("never shows one tenant's job to another: reading and cancelling answer 404", async () => {
    const held = await holdSlot(base, QUEUE_KEY, "holder-9");
    const queued = await enqueue(base, QUEUE_KEY, say("fast", "private-job"));
    const read = await getJob(base, NOSY_KEY, queued.job_id);
    expect(read.status).toBe(404);
    expect(read.body.error).toMatchObject({ type: "not_found_error", code: "job_not_found" });
    expect((await cancelJob(base, NOSY_KEY, queued.job_id)).status).toBe(404);
    expect((await getJob(base, NOSY_KEY, "job_does_not_exist")).status).toBe(404);
    held.release();
    expect((await waitFinal(base, QUEUE_KEY, queued.job_id)).status).toBe("succeeded");
  });

  it("does not count polling against the tenant's requests per minute", async () => {
    expect((await chat(base, RPM_KEY, say("fast", "rpm-1"))).status).toBe(200);
    expect((await chat(base, RPM_KEY, say("fast", "rpm-2"))).status).toBe(200);
    const queued = await enqueue(base, RPM_KEY, say("fast", "rpm-3"));
    for (let i = 0; i < 5; i++) {
      const polled = await getJob(base, RPM_KEY, queued.job_id);
      expect(polled.status).toBe(200);
      expect(polled.body.status).toBe("queued");
    }
    expect((await cancelJob(base, RPM_KEY, queued.job_id)).status).toBe(200);
  });

  it("reports the queue's depth and oldest wait in /health", async () => {
    const held = await holdSlot(base, QUEUE_KEY, "holder-10");
    const queued = await enqueue(base, QUEUE_KEY, say("fast", "health-job"));
    const health = (await (await fetch(`${base}/health`)).json()) as any;
    expect(health.components.queue.details).toMatchObject({ mode: "embedded", depth: 1 });
    expect(health.components.queue.details.oldest_wait_ms).toBeGreaterThanOrEqual(0);
    held.release();
    await waitFinal(base, QUEUE_KEY, queued.job_id);
  });
});

describe("the overflow queue's time limits", () => {
  it("expires a job that waits past the maximum wait, with a clear error, and never runs it", async () => {
    const base = (await gateway("{ max_per_tenant: 3, max_wait_ms: 300, result_ttl_ms: 60000 }")).url;
    const held = await holdSlot(base, QUEUE_KEY, "holder-expiry");
    const queued = await enqueue(base, QUEUE_KEY, say("fast", "too-late"));
    const done = await waitFinal(base, QUEUE_KEY, queued.job_id);
    expect(done).toMatchObject({ status: "expired", attempts: 0, result: null, error: { type: "rate_limit_error", code: "job_expired" } });
    expect(done.error.message).toMatch(/waited .* without being admitted/);
    expect(upstreamSaw("too-late")).toHaveLength(0);
    held.release();
  });

  it("purges a finished job's result after the retention time", async () => {
    const base = (await gateway("{ max_per_tenant: 3, max_wait_ms: 20000, result_ttl_ms: 1000 }")).url;
    const held = await holdSlot(base, QUEUE_KEY, "holder-ttl");
    const queued = await enqueue(base, QUEUE_KEY, say("fast", "short-lived"));
    held.release();
    expect((await waitFinal(base, QUEUE_KEY, queued.job_id)).status).toBe("succeeded");
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await getJob(base, QUEUE_KEY, queued.job_id)).status).toBe(404);
  });
});
