// responses.create for a request the gateway queued (202): a client created with waitForQueued waits for the job
// and returns its response object; without it, create() throws QueuedError naming the job. Against a spawned
// gateway whose `busy` tenant has one slot and queues what overflows, with the mock upstream behind it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, JobError, QueuedError, type Job, type ResponseObject, type RunestoneClient } from "../src/index";
import { holdSlot as holdBusySlot } from "./busy-tenant";
import { contractConfig, KEYS } from "./contract-config";
import { startGateway, startMockUpstream, type RunningProcess } from "./gateway-process";

let mock: RunningProcess;
let gateway: RunningProcess;
let busy: RunestoneClient;

beforeAll(async () => {
  mock = await startMockUpstream();
  gateway = await startGateway({ config: contractConfig(mock.url) });
  busy = createClient({ baseUrl: gateway.url, apiKey: KEYS.busy });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await mock?.stop();
});

const holdSlot = (ms?: number) => holdBusySlot(mock.url, busy, ms);

/** A client that waits for queued jobs and records the job ids it polls. */
function waitingClient(): { client: RunestoneClient; polledJobs: string[] } {
  const polledJobs: string[] = [];
  const client = createClient({
    baseUrl: gateway.url,
    apiKey: KEYS.busy,
    waitForQueued: true,
    fetch: (input, init) => {
      const match = input instanceof Request ? /\/v1\/jobs\/([^/?]+)/.exec(input.url) : null;
      if (match?.[1] && !polledJobs.includes(match[1])) polledJobs.push(match[1]);
      return fetch(input, init);
    },
  });
  return { client, polledJobs };
}

const outputText = (r: ResponseObject) => {
  const message = r.output.find((i) => i.type === "message") as { content?: Array<{ text?: string }> } | undefined;
  return message?.content?.[0]?.text;
};

describe("responses.create with waitForQueued", () => {
  it("waits for the queued job and returns its response object, stored for retrieve and previous_response_id", async () => {
    const { client, polledJobs } = waitingClient();
    const { done: holder } = await holdSlot(1_500);
    const response: ResponseObject = await client.responses.create({ model: "gpt-4o-mini", input: "queued responses wait" });
    expect(polledJobs).toHaveLength(1);
    expect(response).toMatchObject({ object: "response", status: "completed" });
    expect(outputText(response)).toBe("echo: queued responses wait");

    const job = await busy.jobs.retrieve(polledJobs[0]!);
    expect(job).toMatchObject({ kind: "response", status: "succeeded", result: null });
    expect(job.response).toEqual(response);
    expect(await busy.responses.retrieve(response.id)).toEqual(response);
    const next = await busy.responses.create({ model: "gpt-4o-mini", input: "and then?", previous_response_id: response.id });
    expect(outputText(next)).toBe("echo: and then?");
    await holder;
  });

  it("throws JobError when the queued job fails (its previous response was deleted before it ran)", async () => {
    const { client, polledJobs } = waitingClient();
    const previous = await busy.responses.create({ model: "gpt-4o-mini", input: "soon gone" });
    const { done: holder } = await holdSlot(4_000);
    const pending = client.responses.create({ model: "gpt-4o-mini", input: "orphaned", previous_response_id: previous.id });
    pending.catch(() => undefined);
    // Once the client polls the job, it is queued behind the holder: delete what it continues before it runs.
    const deadline = Date.now() + 3_000;
    while (polledJobs.length === 0) {
      if (Date.now() > deadline) throw new Error("the client never polled a job: was the request queued?");
      await new Promise((r) => setTimeout(r, 20));
    }
    await busy.responses.delete(previous.id);
    const error = await pending.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(JobError);
    expect((error as JobError).job).toMatchObject({ kind: "response", status: "failed", response: null, error: { code: "previous_response_not_found" } });
    await holder;
  });
});

describe("responses.create without waitForQueued", () => {
  it("throws QueuedError naming the job, whose response jobs.wait then returns", async () => {
    const { done: holder } = await holdSlot(1_500);
    const error = await busy.responses.create({ model: "gpt-4o-mini", input: "queued, not waited for" }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(QueuedError);
    const queued = error as QueuedError;
    expect(queued.status).toBe(202);
    expect(queued.jobId).toMatch(/^job_/);
    expect(queued.requestId).toBe(queued.queued.request_id);
    expect(queued.message).toContain(`jobs.wait("${queued.jobId}")`);
    expect(queued.message).toContain("waitForQueued");
    const job: Job = await busy.jobs.wait(queued.jobId, { pollInterval: 100 });
    expect(job).toMatchObject({ kind: "response", status: "succeeded", result: null });
    expect(outputText(job.response!)).toBe("echo: queued, not waited for");
    await holder;
  });
});
