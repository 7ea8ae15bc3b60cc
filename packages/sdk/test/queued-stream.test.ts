// Streams of requests that the gateway queued (202): a client created with waitForQueued waits for the job and
// streams its completion; without it, stream() throws QueuedError naming the job. Against a spawned gateway whose
// `busy` tenant has one slot and queues what overflows, with the mock upstream behind it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APIConnectionTimeoutError,
  APIUserAbortError,
  createClient,
  JobError,
  QueuedError,
  RateLimitError,
  type ChatCompletionChunk,
  type ChatCompletionCreateParams,
  type RunestoneClient,
} from "../src/index";
import { holdSlot as holdBusySlot } from "./busy-tenant";
import { contractConfig, KEYS } from "./contract-config";
import { startGateway, startMockUpstream, type RunningProcess } from "./gateway-process";

let mock: RunningProcess;
let gateway: RunningProcess;
let busy: RunestoneClient;
let live: RunestoneClient;

beforeAll(async () => {
  mock = await startMockUpstream();
  gateway = await startGateway({ config: contractConfig(mock.url) });
  busy = createClient({ baseUrl: gateway.url, apiKey: KEYS.busy });
  live = createClient({ baseUrl: gateway.url, apiKey: KEYS.acme });
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

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const text = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");

/** Resolves with the first job id the client polls (bounded wait). */
async function firstPolledJob(polledJobs: string[]): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (polledJobs.length === 0) {
    if (Date.now() > deadline) throw new Error("the client never polled a job: was the request queued?");
    await new Promise((r) => setTimeout(r, 20));
  }
  return polledJobs[0]!;
}

const weatherTool: ChatCompletionCreateParams["tools"] = [
  { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
];

describe("chat.completions.stream with waitForQueued", () => {
  it("waits for the queued job and streams its completion in the chunks a live stream has", async () => {
    const { client, polledJobs } = waitingClient();
    const { done: holder } = await holdSlot(1_500);
    const body = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "patience makes a stream" }] };
    const stream = await client.chat.completions.stream(body);
    expect(polledJobs.length).toBe(1);
    const job = stream.job;
    expect(job?.status).toBe("succeeded");
    expect(job?.id).toBe(polledJobs[0]);
    const chunks = await collect(stream);

    const stored = await busy.jobs.retrieve(job!.id);
    expect(text(chunks)).toBe(stored.result?.choices[0]?.message.content);
    expect(text(chunks)).toBe("echo: patience makes a stream");
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(2);

    expect(chunks[0]).toMatchObject({
      object: "chat.completion.chunk",
      provider: "openai",
      routing_policy: "default",
      request_id: job!.request_id,
      choices: [{ index: 0, delta: { role: "assistant" }, finish_reason: null }],
    });
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set([stored.result!.id]));
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ finish_reason: "stop", delta: {} });
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(stream.requestId).toBe(job!.request_id);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toMatch(/text\/event-stream/);
    expect(stream.response.headers.get("x-runestone-provider")).toBe("openai");

    // The same request streamed live: a consumer reading the chunks sees the same answer in the same shape.
    const direct = await collect(await live.chat.completions.stream(body));
    expect(text(direct)).toBe(text(chunks));
    expect(Object.keys(direct[0]!).filter((k) => k !== "usage").sort()).toEqual(Object.keys(chunks[0]!).sort());
    expect(direct.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    await holder;
  });

  it("streams the queued job's tool calls with their index, id, type, name and arguments", async () => {
    const { client } = waitingClient();
    const { done: holder } = await holdSlot(1_500);
    const stream = await client.chat.completions.stream({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "weather in Paris?" }],
      tools: weatherTool,
    });
    const expected = stream.job?.result?.choices[0]?.message.tool_calls;
    expect(expected?.length).toBe(1);
    const call = expected![0]!;
    if (call.type !== "function") throw new Error(`expected a function call, got ${call.type}`);
    const chunks = await collect(stream);
    const deltas = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(deltas[0]).toEqual({ index: 0, id: expected![0]!.id, type: "function", function: { name: "get_weather", arguments: "" } });
    const args = deltas.filter((d) => d.index === 0).map((d) => d.function?.arguments ?? "").join("");
    expect(args).toBe(call.function.arguments);
    expect(JSON.parse(args)).toEqual({ input: "weather in Paris?" });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
    await holder;
  });

  it("ends with the job's usage when stream_options.include_usage is set, through /v1/chat/stream too", async () => {
    const { client } = waitingClient();
    const { done: holder } = await holdSlot(1_500);
    const stream = await client.chat.stream({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "count my tokens" }],
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    const usageChunks = chunks.filter((c) => c.usage);
    expect(usageChunks).toHaveLength(1);
    expect(chunks.at(-1)).toBe(usageChunks[0]);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toEqual(stream.job?.result?.usage);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
    expect(text(chunks)).toBe("echo: count my tokens");
    await holder;
  });

  it("rejects with APIUserAbortError while still waiting when the caller aborts, and cancels the job", async () => {
    const { client, polledJobs } = waitingClient();
    const { done: holder } = await holdSlot(4_000);
    let holderDone = false;
    void holder.finally(() => (holderDone = true));
    const abort = new AbortController();
    const pending = client.chat.completions.stream(
      { model: "gpt-4o-mini", messages: [{ role: "user", content: "I will not wait" }] },
      { signal: abort.signal },
    );
    const failure = pending.catch((e: unknown) => e);
    const jobId = await firstPolledJob(polledJobs);
    abort.abort();
    const error = await failure;
    expect(holderDone).toBe(false); // it gave up while the job was still queued behind the slow request
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect((error as Error).message).toContain(jobId);

    const deadline = Date.now() + 5_000;
    let status = (await busy.jobs.retrieve(jobId)).status;
    while (status !== "cancelled" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await busy.jobs.retrieve(jobId)).status;
    }
    expect(status).toBe("cancelled");
    await holder;
  });

  it("gives up with APIConnectionTimeoutError naming the job when the wait outlasts the call's timeout", async () => {
    const { client } = waitingClient();
    const { done: holder } = await holdSlot(3_000);
    const error = await client.chat.completions
      .stream({ model: "gpt-4o-mini", messages: [{ role: "user", content: "too slow for me" }] }, { timeout: 300 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).message).toMatch(/job_\S+ was still (queued|running)/);
    await holder;
  });

  it("throws JobError with the failed job when the queued request fails upstream", async () => {
    const { client } = waitingClient();
    const { done: holder } = await holdSlot(1_500);
    // The holder already took its own slow rule: this one is for the queued request, which fails without retry.
    const rule = await fetch(`${mock.url}/_mock/behave`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ behavior: { status: 400 }, times: 1, model: "gpt-4o-mini" }),
    });
    expect(rule.ok).toBe(true);
    const error = await client.chat.completions
      .stream({ model: "gpt-4o-mini", messages: [{ role: "user", content: "this one fails" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobError);
    const job = (error as JobError).job;
    expect(job.status).toBe("failed");
    expect(job.result).toBeNull();
    expect((error as JobError).message).toContain(job.id);
    expect((error as JobError).error?.message).toBe(job.error?.message);
    await holder;
  });

  it("throws JobError when the queued job is cancelled while the stream waits for it", async () => {
    const { client, polledJobs } = waitingClient();
    const { done: holder } = await holdSlot(2_500);
    const failure = client.chat.completions
      .stream({ model: "gpt-4o-mini", messages: [{ role: "user", content: "cancel me while I wait" }] })
      .catch((e: unknown) => e);
    const jobId = await firstPolledJob(polledJobs);
    expect((await busy.jobs.cancel(jobId)).status).toBe("cancelled");
    const error = await failure;
    expect(error).toBeInstanceOf(JobError);
    expect((error as JobError).job).toMatchObject({ id: jobId, status: "cancelled" });
    await holder;
  });
});

describe("chat.completions.stream without waitForQueued", () => {
  it("throws QueuedError naming the job, whose completion jobs.wait then returns", async () => {
    const { done: holder } = await holdSlot(1_500);
    const error = await busy.chat.completions
      .stream({ model: "gpt-4o-mini", messages: [{ role: "user", content: "queued, not streamed" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueuedError);
    const queued = error as QueuedError;
    expect(queued.status).toBe(202);
    expect(queued.jobId).toMatch(/^job_/);
    expect(queued.requestId).toBe(queued.queued.request_id);
    expect(queued.message).toContain(queued.jobId);
    expect(queued.message).toContain("waitForQueued: true");
    expect(queued.message).toContain(`jobs.wait("${queued.jobId}")`);
    const job = await busy.jobs.wait(queued.jobId, { waitTimeout: 20_000 });
    expect(job.result?.choices[0]?.message.content).toBe("echo: queued, not streamed");
    await holder;
  });
});

describe("the overflow mode a stream asks for", () => {
  it("is the tenant's own by default, and an x-runestone-overflow set on the client or the call wins", async () => {
    const { done: holder } = await holdSlot(3_000);
    const ask = (client: RunestoneClient, headers?: Record<string, string>) =>
      client.chat.completions.stream({ model: "gpt-4o-mini", messages: [{ role: "user", content: "which mode" }] }, headers ? { headers, maxRetries: 0 } : { maxRetries: 0 }).catch((e: unknown) => e);
    // The busy tenant queues: by default the stream is queued like any of its requests.
    const queued = await ask(busy);
    expect(queued).toBeInstanceOf(QueuedError);
    // Asked on the client, or on the call, to be refused instead: a 429, not a queued job.
    const rejecting = createClient({ baseUrl: gateway.url, apiKey: KEYS.busy, headers: { "x-runestone-overflow": "reject" }, maxRetries: 0 });
    for (const refused of [await ask(rejecting), await ask(busy, { "x-runestone-overflow": "reject" })]) {
      expect(refused).toBeInstanceOf(RateLimitError);
      expect((refused as RateLimitError).status).toBe(429);
    }
    await busy.jobs.wait((queued as QueuedError).jobId, { waitTimeout: 20_000 });
    await holder;
  });
});
