// Queued Responses API requests in embedded mode: a real gateway with the real admission, the real mock
// upstream, and the jobs and stored responses in a SQLite file in a temp dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture } from "./harness";
import { cancelJob, chat, getJob, holdSlot, say, upstreamSaw, waitFinal } from "./jobs-harness";
import { ADMIN_KEY, enqueueResponse, getResponse, NOSY_KEY, outputText, postResponse, QUEUE_KEY, responsesJobsConfigYaml } from "./jobs-responses-harness";
import { api } from "./limits-harness";

let upstream: MockUpstream;
let dir: string;
const gateways: RunningGateway[] = [];

async function gateway(sqlitePath = join(dir, `jobs-${gateways.length}.db`)): Promise<RunningGateway> {
  const { config } = parseConfig(responsesJobsConfigYaml(upstream.url, { sqlitePath }), {});
  const gw = await startGateway({ config, logger: createLogger("warn", new LogCapture()), validateResponses: true });
  gateways.push(gw);
  return gw;
}

const saw = (marker: string) => upstreamSaw(upstream, marker);

beforeAll(async () => {
  upstream = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), "runestone-resp-jobs-"));
});

afterAll(async () => {
  for (const g of gateways) await g.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("queued Responses API requests (embedded)", () => {
  let base: string;
  beforeAll(async () => {
    base = (await gateway()).url;
    // The first request compiles the spec's validators; keep that out of the tests' timing.
    expect((await chat(base, NOSY_KEY, say("fast", "warm-up"))).status).toBe(200);
  });

  it("queues a Responses request at the tenant's limit with chat's 202, and the job answers the response object, stored for GET and previous_response_id", async () => {
    const held = await holdSlot(upstream, base, QUEUE_KEY, "resp-holder-1");
    const queued = await enqueueResponse(base, QUEUE_KEY, { model: "fast", input: "resp-queued-1", request_id: "resp-order-1" });
    expect(queued.request_id).toBe("resp-order-1");
    const waiting = await getJob(base, QUEUE_KEY, queued.job_id);
    expect(waiting.body).toMatchObject({ kind: "response", status: "queued", queue_position: 1, attempts: 0, stream: false, model: "fast", result: null, response: null, request_id: "resp-order-1" });
    expect(saw("resp-queued-1")).toHaveLength(0);

    held.release();
    const done = await waitFinal(base, QUEUE_KEY, queued.job_id);
    expect(done).toMatchObject({ kind: "response", status: "succeeded", attempts: 1, result: null, error: null, response: { object: "response", status: "completed" } });
    expect(outputText(done.response)).toBe("echo: resp-queued-1");
    // An OpenAI deployment: passed through to its Responses API, once, with the deployment's model name.
    const sent = saw("resp-queued-1");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.path).toBe("/v1/responses");
    expect(sent[0]!.body).toMatchObject({ model: "gpt-4o-mini", input: "resp-queued-1" });
    expect((sent[0]!.body as Record<string, unknown>).request_id).toBeUndefined();

    const stored = await getResponse(base, QUEUE_KEY, done.response.id);
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual(done.response);

    const next = await postResponse(base, QUEUE_KEY, { model: "fast", input: "resp-follow-up-1", previous_response_id: done.response.id });
    expect(next.status).toBe(200);
    const replayed = saw("resp-follow-up-1")[0]!.body as { input: Array<Record<string, unknown>> };
    expect(JSON.stringify(replayed.input)).toContain("resp-queued-1");
    expect(JSON.stringify(replayed.input)).toContain("echo: resp-queued-1");
  });

  it("runs a queued request on a translated provider after a fallback, accounts it, and queues a follow-up that replays it", async () => {
    const held = await holdSlot(upstream, base, QUEUE_KEY, "resp-holder-2");
    const first = await enqueueResponse(base, QUEUE_KEY, { model: "falls-back", instructions: "Be brief.", input: [{ role: "user", content: "resp-translated-1" }] });
    held.release();
    const done = await waitFinal(base, QUEUE_KEY, first.job_id);
    expect(done).toMatchObject({ kind: "response", status: "succeeded", result: null, response: { object: "response", status: "completed", model: "falls-back", provider: "compat", request_id: first.request_id } });
    expect(outputText(done.response)).toBe("echo: resp-translated-1");
    expect(done.response.usage.input_tokens).toBeGreaterThan(0);
    // The OpenAI deployment failed (503) and the job fell back to the compatible provider, translated to chat.
    expect(saw("resp-translated-1").map((r) => r.path)).toEqual(["/v1/responses", "/v1/chat/completions"]);

    const usage = await usageOf(base, "falls-back");
    expect(usage).toMatchObject({ requests: 1, prompt_tokens: done.response.usage.input_tokens, completion_tokens: done.response.usage.output_tokens });
    expect(usage.cost_usd).toBeGreaterThan(0);

    // The follow-up is queued too, and replays the stored conversation when it runs.
    const held2 = await holdSlot(upstream, base, QUEUE_KEY, "resp-holder-3");
    const second = await enqueueResponse(base, QUEUE_KEY, { model: "translated", input: "resp-translated-2", previous_response_id: done.response.id });
    held2.release();
    const done2 = await waitFinal(base, QUEUE_KEY, second.job_id);
    expect(done2).toMatchObject({ status: "succeeded", response: { previous_response_id: done.response.id, provider: "compat" } });
    const messages = (saw("resp-translated-2")[0]!.body as { messages: Array<{ role: string; content: unknown }> }).messages;
    // The earlier input and answer, then the new input (instructions are not carried over, as on OpenAI).
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(JSON.stringify(messages)).toContain("echo: resp-translated-1");
    expect((await getResponse(base, QUEUE_KEY, done2.response.id)).status).toBe(200);
  });

  it("keeps a queued job and its response to its tenant: another tenant's key gets 404 for both", async () => {
    const held = await holdSlot(upstream, base, QUEUE_KEY, "resp-holder-4");
    const queued = await enqueueResponse(base, QUEUE_KEY, { model: "fast", input: "resp-private" });
    expect((await getJob(base, NOSY_KEY, queued.job_id)).status).toBe(404);
    expect((await cancelJob(base, NOSY_KEY, queued.job_id)).status).toBe(404);
    held.release();
    const done = await waitFinal(base, QUEUE_KEY, queued.job_id);
    expect(done.status).toBe("succeeded");
    expect((await getJob(base, NOSY_KEY, queued.job_id)).body.error.code).toBe("job_not_found");
    expect((await getResponse(base, NOSY_KEY, done.response.id)).status).toBe(404);
    const other = await postResponse(base, NOSY_KEY, { model: "fast", input: "resp-nosy", previous_response_id: done.response.id });
    expect(other.status).toBe(404);
    expect(((await other.json()) as any).error.code).toBe("previous_response_not_found");
  });

  it("does not store a queued response sent with store: false", async () => {
    const held = await holdSlot(upstream, base, QUEUE_KEY, "resp-holder-5");
    const queued = await enqueueResponse(base, QUEUE_KEY, { model: "translated", input: "resp-unstored", store: false });
    held.release();
    const done = await waitFinal(base, QUEUE_KEY, queued.job_id);
    expect(done.status).toBe("succeeded");
    expect((await getResponse(base, QUEUE_KEY, done.response.id)).status).toBe(404);
  });

  it("fails a queued follow-up whose previous response is gone by the time it runs, as the direct request would then", async () => {
    const previous = await postResponse(base, QUEUE_KEY, { model: "translated", input: "resp-soon-deleted" });
    expect(previous.status).toBe(200);
    const previousId = ((await previous.json()) as any).id as string;
    const held = await holdSlot(upstream, base, QUEUE_KEY, "resp-holder-6");
    const queued = await enqueueResponse(base, QUEUE_KEY, { model: "translated", input: "resp-orphan", previous_response_id: previousId });
    const deleted = await fetch(`${base}/v1/responses/${previousId}`, { method: "DELETE", headers: { authorization: `Bearer ${QUEUE_KEY}` } });
    expect(deleted.status).toBe(200);
    held.release();
    const done = await waitFinal(base, QUEUE_KEY, queued.job_id);
    expect(done).toMatchObject({ status: "failed", response: null, error: { code: "previous_response_not_found" } });
    expect(saw("resp-orphan")).toHaveLength(0);
  });

  it("admits a queued Responses request under the queuing key's own limits, and never runs it once that key is revoked", async () => {
    // nosy-tenant has no limits of its own: only the key's single slot makes the request overflow.
    const created = await api(base, ADMIN_KEY, "POST", "/v1/admin/keys", { tenant_id: "nosy-tenant", limits: { max_concurrent: 1 } });
    expect(created.status).toBe(201);
    const { id, key } = (await created.json()) as { id: string; key: string };
    const held = await holdSlot(upstream, base, key, "resp-holder-8");
    const queued = await enqueueResponse(base, key, { model: "fast", input: "resp-revoked" });
    // Long enough for the worker to have asked admission several times over: the key's slot keeps it queued.
    await new Promise((r) => setTimeout(r, 600));
    expect((await getJob(base, key, queued.job_id)).body.status).toBe("queued");
    expect((await api(base, ADMIN_KEY, "DELETE", `/v1/admin/keys/${id}`)).status).toBe(200);
    held.release();
    const done = await waitFinal(base, NOSY_KEY, queued.job_id);
    expect(done).toMatchObject({ kind: "response", status: "failed", attempts: 0, response: null, error: { code: "key_revoked" } });
    expect(saw("resp-revoked")).toHaveLength(0);
  });

  it("refuses a streaming Responses request over the limit with 429, even for a tenant that queues", async () => {
    const held = await holdSlot(upstream, base, QUEUE_KEY, "resp-holder-7");
    const res = await postResponse(base, QUEUE_KEY, { model: "fast", input: "resp-stream-over", stream: true });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await res.json()) as any).error.code).toBe("rate_limit_exceeded");
    const forced = await postResponse(base, QUEUE_KEY, { model: "fast", input: "resp-stream-over", stream: true }, { "x-runestone-overflow": "queue" });
    expect(forced.status).toBe(429);
    await forced.text();
    held.release();
    expect(saw("resp-stream-over")).toHaveLength(0);
  });
});

describe("jobs written before jobs had kinds (embedded)", () => {
  it("reads and runs them as chat jobs", async () => {
    const path = join(dir, "old-shape.db");
    const db = new Database(path);
    // The jobs table as earlier releases created it: no kind column.
    db.exec(`CREATE TABLE jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, tenant_id TEXT NOT NULL, request_id TEXT NOT NULL,
      model TEXT, stream INTEGER NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, owner TEXT,
      created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER, expires_at INTEGER NOT NULL, result TEXT, error TEXT, key_id TEXT)`);
    const now = Date.now();
    const completion = { id: "chatcmpl-old", object: "chat.completion", created: Math.floor(now / 1000), model: "fast", choices: [{ index: 0, message: { role: "assistant", content: "an old answer", refusal: null }, finish_reason: "stop", logprobs: null }], provider: "openai", routing_policy: "default", request_id: "old-req-1" };
    const insert = db.prepare("INSERT INTO jobs (id, tenant_id, request_id, model, stream, body, status, attempts, created_at, started_at, finished_at, expires_at, result) VALUES (?, 'queue-tenant', ?, 'fast', 0, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.run("job_old_succeeded", "old-req-1", JSON.stringify(say("fast", "old-done")), "succeeded", 1, now - 2000, now - 1500, now - 1000, now + 60_000, JSON.stringify(completion));
    insert.run("job_old_queued", "old-req-2", JSON.stringify(say("fast", "old-shape-queued")), "queued", 0, now, null, null, now + 20_000, null);
    db.close();

    const gw = await gateway(path);
    const finished = await getJob(gw.url, QUEUE_KEY, "job_old_succeeded");
    expect(finished).toMatchObject({ status: 200, body: { kind: "chat.completion", status: "succeeded", result: completion, response: null } });
    const ran = await waitFinal(gw.url, QUEUE_KEY, "job_old_queued");
    expect(ran).toMatchObject({ kind: "chat.completion", status: "succeeded", response: null, result: { object: "chat.completion", choices: [{ message: { content: "echo: old-shape-queued" } }] } });
    expect(saw("old-shape-queued")[0]!.path).toBe("/v1/chat/completions");
  });
});

async function usageOf(base: string, model: string): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${base}/v1/usage?group_by=model`, { headers: { authorization: `Bearer ${QUEUE_KEY}` } });
    const body = (await res.json()) as { data: Array<{ model: string }> };
    const row = body.data.find((r) => r.model === model);
    if (row) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no usage recorded for ${model}`);
}
