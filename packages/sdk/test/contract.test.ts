// Every operation of the contract, called through the SDK against a spawned gateway with the mock upstream
// behind it: once with only the required parameters, once with all of them. The operations are read from the
// bundled spec at test time, so an operation added to the spec without an SDK method fails the coverage test.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConflictError,
  createClient,
  NotFoundError,
  isQueued,
  type ChatCompletion,
  type ChatCompletionCreateParams,
  type EmbeddingCreateParams,
  type MessageCreateParams,
  type QueuedResponse,
  type ResponseCreateParams,
  type ResponseObject,
  type RequestOptions,
  type RunestoneClient,
} from "../src/index";
import { holdSlot as holdBusySlot } from "./busy-tenant";
import { contractConfig, KEYS } from "./contract-config";
import { startGateway, startMockUpstream, type RunningProcess } from "./gateway-process";

const require = createRequire(import.meta.url);
const spec = JSON.parse(readFileSync(require.resolve("@runestone/contract/openapi.json"), "utf8"));
const METHODS = ["get", "put", "post", "delete", "patch"];
const specOperations: string[] = Object.values(spec.paths as Record<string, Record<string, { operationId?: string }>>)
  .flatMap((item) => METHODS.map((m) => item[m]?.operationId))
  .filter((id): id is string => typeof id === "string");
const schemaProps = (name: string) => Object.keys(spec.components.schemas[name].properties as object);

let mock: RunningProcess;
let gateway: RunningProcess;
let client: RunestoneClient;
let admin: RunestoneClient;
let busy: RunestoneClient;

/** Per-call options exercising every field of RequestOptions. */
const allOptions = (id: string): RequestOptions => ({
  headers: { "x-request-id": `sdk-contract-${id}` },
  timeout: 30_000,
  maxRetries: 1,
  signal: new AbortController().signal,
});

beforeAll(async () => {
  mock = await startMockUpstream();
  gateway = await startGateway({ config: contractConfig(mock.url) });
  client = createClient({ baseUrl: gateway.url, apiKey: KEYS.acme });
  admin = createClient({ baseUrl: gateway.url, apiKey: KEYS.admin });
  busy = createClient({ baseUrl: gateway.url, apiKey: KEYS.busy });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await mock?.stop();
});

function completed(result: ChatCompletion | QueuedResponse): ChatCompletion {
  if (isQueued(result)) throw new Error(`unexpectedly queued as ${result.job_id}`);
  return result;
}

const holdSlot = (ms?: number) => holdBusySlot(mock.url, busy, ms);

/** The 202 of a request sent while the busy tenant's only slot is held, plus the holder's promise. */
async function queueOne(text: string): Promise<{ queued: QueuedResponse; holder: Promise<unknown> }> {
  const { done: holder } = await holdSlot();
  const result = await busy.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: text }] });
  if (!isQueued(result)) throw new Error("expected a 202 while the tenant's only slot is busy");
  return { queued: result, holder };
}

const chatAll = {
  model: "gpt-4o-mini",
  messages: [
    { role: "system", content: "You are terse." },
    { role: "developer", content: [{ type: "text", text: "Answer in English." }] },
    { role: "user", content: "what is the weather" },
  ],
  tools: [{ type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
  tool_choice: "none",
  parallel_tool_calls: false,
  response_format: { type: "text" },
  stream: false,
  stream_options: null,
  n: 1,
  stop: ["\n\n"],
  max_tokens: 200,
  max_completion_tokens: 200,
  temperature: 0.5,
  top_p: 0.9,
  frequency_penalty: 0.1,
  presence_penalty: 0.1,
  seed: 42,
  logprobs: false,
  top_logprobs: 0,
  logit_bias: { "50256": -100 },
  user: "user-1",
  metadata: { suite: "sdk-contract" },
  reasoning_effort: null,
  service_tier: "auto",
  store: false,
  modalities: ["text"],
  prediction: { type: "content", content: "sunny" },
  audio: null,
  web_search_options: {},
  safety_identifier: "user-hash-1",
  prompt_cache_key: "sdk-contract",
  prompt_cache_retention: "24h",
  prompt_cache_options: { ttl: "30m" },
  verbosity: "low",
  moderation: { model: "omni-moderation-latest" },
  function_call: "none",
  functions: [{ name: "get_time", parameters: { type: "object", properties: {} } }],
  provider: "openai",
  tenant_id: "acme",
  model_family: "general",
  capabilities: ["chat"],
  max_cost_per_token: 0.001,
  request_id: "sdk-contract-chat-all",
  routing_policy: "cost",
} as unknown as ChatCompletionCreateParams & { stream: false };

const messageAll = {
  model: "gpt-4o-mini",
  max_tokens: 200,
  messages: [
    { role: "user", content: "first" },
    { role: "assistant", content: [{ type: "text", text: "echo: first" }] },
    { role: "user", content: [{ type: "text", text: "second question" }] },
  ],
  system: "You are terse.",
  stream: false,
  stop_sequences: ["\n\n"],
  temperature: 0.5,
  top_p: 0.9,
  top_k: 40,
  metadata: { user_id: "user-1" },
  tools: [{ name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
  tool_choice: { type: "none" },
  thinking: { type: "disabled" },
  // Structured outputs: the translated model must answer JSON of this schema.
  output_config: { format: { type: "json_schema", schema: { type: "object", properties: { echo: { type: "string" } }, required: ["echo"] } } },
} as unknown as MessageCreateParams & { stream: false };

const responseAll = {
  model: "gpt-4o-mini",
  input: [
    { role: "developer", content: "Answer in English." },
    { type: "message", role: "user", content: [{ type: "input_text", text: "what is the weather" }] },
  ],
  instructions: "You are terse.",
  tools: [{ type: "function", name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } }],
  tool_choice: "none",
  parallel_tool_calls: false,
  text: { format: { type: "text" } },
  reasoning: { effort: "low" },
  max_output_tokens: 200,
  temperature: 0.5,
  top_p: 0.9,
  metadata: { suite: "sdk-contract" },
  store: true,
  previous_response_id: null,
  stream: false,
  background: false,
  // A stored prompt template is OpenAI's: only a passthrough deployment takes it.
  prompt: { id: "pmpt_sdk_contract", version: "1" },
  provider: "openai",
  tenant_id: "acme",
  model_family: "general",
  capabilities: ["chat"],
  max_cost_per_token: 0.001,
  request_id: "sdk-contract-responses-all",
  routing_policy: "cost",
} as unknown as ResponseCreateParams & { stream: false };

/** The text of a response's first message. */
const textOf = (r: ResponseObject) =>
  (r.output.find((o) => o.type === "message")?.content ?? []).map((p) => p.text ?? "").join("");

const embeddingAll: EmbeddingCreateParams = {
  model: "text-embedding-3-small",
  input: ["one", "two"],
  encoding_format: "base64",
  dimensions: 4,
  user: "user-1",
};

/** For each operationId: a call with only what is required, and one with every parameter. */
const calls: Record<string, { required(): Promise<void>; all(): Promise<void> }> = {
  createChatCompletion: {
    async required() {
      const r = completed(await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] }));
      expect(r.choices[0]?.message.content).toBe("echo: hello");
      expect(r.provider).toBe("openai");
    },
    async all() {
      const r = completed(await client.chat.completions.create(chatAll, allOptions("chat")));
      expect(r.choices[0]?.message.content).toBe("echo: what is the weather");
      expect(r.routing_policy).toBe("cost");
      expect(r.request_id).toBe("sdk-contract-chat-all");
    },
  },
  createChatStream: {
    async required() {
      const s = await client.chat.stream({ model: "gpt-4o-mini", messages: [{ role: "user", content: "stream me" }] });
      expect(await s.finalText()).toBe("echo: stream me");
    },
    async all() {
      const s = await client.chat.stream({ ...chatAll, stream: true, stream_options: { include_usage: true } }, allOptions("chat-stream"));
      let usage = 0;
      let text = "";
      for await (const chunk of s) {
        text += chunk.choices[0]?.delta.content ?? "";
        usage += chunk.usage?.total_tokens ?? 0;
      }
      expect(text).toBe("echo: what is the weather");
      expect(usage).toBeGreaterThan(0);
    },
  },
  createMessage: {
    async required() {
      const m = await client.messages.create({ model: "gpt-4o-mini", max_tokens: 100, messages: [{ role: "user", content: "hello" }] });
      expect(m.type).toBe("message");
      expect(m.content[0]).toMatchObject({ type: "text", text: "echo: hello" });
      const s = await client.messages.stream({ model: "gpt-4o-mini", max_tokens: 100, messages: [{ role: "user", content: "hi there" }] });
      const types: string[] = [];
      for await (const event of s) types.push(event.type);
      expect(types[0]).toBe("message_start");
      expect(types.at(-1)).toBe("message_stop");
    },
    async all() {
      const m = await client.messages.create(messageAll, allOptions("messages"));
      expect(m.content[0]).toMatchObject({ type: "text" });
      expect(JSON.parse((m.content[0] as { text: string }).text)).toStrictEqual({ echo: "second question" });
      expect(m.stop_reason).toBe("end_turn");
      const s = await client.messages.stream({ ...messageAll, stream: true }, allOptions("messages-stream"));
      let text = "";
      for await (const event of s) if (event.type === "content_block_delta") text += (event.delta as { text?: string }).text ?? "";
      expect(JSON.parse(text)).toStrictEqual({ echo: "second question" });
    },
  },
  countMessageTokens: {
    async required() {
      const c = await client.messages.countTokens({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello there" }] });
      expect(c.input_tokens).toBeGreaterThan(0);
    },
    async all() {
      const { max_tokens: _, stream: __, stop_sequences: ___, temperature: _t, top_p: _p, top_k: _k, metadata: _m, ...counted } = messageAll;
      const c = await client.messages.countTokens(counted, allOptions("count-tokens"));
      const bare = await client.messages.countTokens({ model: "gpt-4o-mini", messages: messageAll.messages });
      // System prompt and tools count too.
      expect(c.input_tokens).toBeGreaterThan(bare.input_tokens);
    },
  },
  createEmbedding: {
    async required() {
      const r = await client.embeddings.create({ model: "text-embedding-3-small", input: "hello" });
      expect(r.data).toHaveLength(1);
      expect(Array.isArray(r.data[0]?.embedding)).toBe(true);
    },
    async all() {
      const r = await client.embeddings.create(embeddingAll, allOptions("embeddings"));
      expect(r.data.map((d) => d.index)).toEqual([0, 1]);
      expect(typeof r.data[0]?.embedding).toBe("string");
    },
  },
  createResponse: {
    async required() {
      const r = await client.responses.create({ model: "gpt-4o-mini", input: "hello" });
      expect(r.object).toBe("response");
      expect(textOf(r)).toBe("echo: hello");
      const s = await client.responses.stream({ model: "mock-echo", input: "stream me" });
      let text = "";
      const types: string[] = [];
      for await (const event of s) {
        types.push(event.type);
        if (event.type === "response.output_text.delta") text += event.delta ?? "";
      }
      expect(text).toBe("echo: stream me");
      expect(types[0]).toBe("response.created");
      expect(types.at(-1)).toBe("response.completed");
    },
    async all() {
      const r = await client.responses.create(responseAll, allOptions("responses"));
      expect(r.status).toBe("completed");
      expect(textOf(r)).toBe("echo: what is the weather");
      const s = await client.responses.create({ ...responseAll, stream: true, model: "mock-echo", provider: undefined, prompt: undefined }, allOptions("responses-stream"));
      let done: ResponseObject | undefined;
      for await (const event of s) if (event.type === "response.completed") done = event.response;
      expect(done && textOf(done)).toBe("echo: what is the weather");
    },
  },
  retrieveResponse: {
    async required() {
      const r = await client.responses.create({ model: "mock-echo", input: "keep me" });
      const again = await client.responses.retrieve(r.id);
      expect(again.id).toBe(r.id);
      expect(textOf(again)).toBe("echo: keep me");
    },
    async all() {
      const r = await client.responses.create({ model: "gpt-4o-mini", input: "keep me too" });
      expect(textOf(await client.responses.retrieve(r.id, allOptions("response-get")))).toBe("echo: keep me too");
    },
  },
  deleteResponse: {
    async required() {
      const r = await client.responses.create({ model: "mock-echo", input: "delete me" });
      expect(await client.responses.delete(r.id)).toEqual({ id: r.id, object: "response", deleted: true });
      await expect(client.responses.retrieve(r.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.responses.delete(r.id)).rejects.toBeInstanceOf(NotFoundError);
    },
    async all() {
      const r = await client.responses.create({ model: "mock-echo", input: "delete me too" });
      expect((await client.responses.delete(r.id, allOptions("response-delete"))).deleted).toBe(true);
    },
  },
  listResponseInputItems: {
    async required() {
      const r = await client.responses.create({ model: "mock-echo", input: "list me" });
      const list = await client.responses.inputItems.list(r.id);
      expect(list.object).toBe("list");
      expect(list.data).toHaveLength(1);
      expect(list.data[0]).toMatchObject({ role: "user" });
      expect(list.has_more).toBe(false);
    },
    async all() {
      const r = await client.responses.create({ model: "mock-echo", input: [{ role: "user", content: "one" }, { role: "user", content: "two" }] });
      const page = await client.responses.inputItems.list(r.id, { limit: 1, order: "asc" }, allOptions("response-items"));
      expect(page.data).toHaveLength(1);
      expect(page.has_more).toBe(true);
      const next = await client.responses.inputItems.list(r.id, { limit: 1, order: "asc", after: page.last_id! });
      expect(next.data[0]).toMatchObject({ content: "two" });
      expect(next.has_more).toBe(false);
    },
  },
  listModels: {
    async required() {
      expect((await client.models.list()).data.map((m) => m.id)).toContain("gpt-4o-mini");
    },
    async all() {
      expect((await client.models.list(allOptions("models"))).object).toBe("list");
    },
  },
  retrieveModel: {
    async required() {
      expect((await client.models.retrieve("gpt-4o-mini")).id).toBe("gpt-4o-mini");
    },
    async all() {
      expect((await client.models.retrieve("text-embedding-3-small", allOptions("model"))).id).toBe("text-embedding-3-small");
    },
  },
  retrieveJob: {
    async required() {
      const { queued, holder } = await queueOne("queued hello");
      const job = await busy.jobs.retrieve(queued.job_id);
      expect(job.id).toBe(queued.job_id);
      expect(["queued", "running", "succeeded"]).toContain(job.status);
      const done = await busy.jobs.wait(queued.job_id, { waitTimeout: 20_000 });
      expect(done.status).toBe("succeeded");
      expect(done.result?.choices[0]?.message.content).toBe("echo: queued hello");
      await holder;
    },
    async all() {
      const { queued, holder } = await queueOne("queued again");
      const job = await busy.jobs.retrieve(queued.job_id, allOptions("job"));
      expect(job.object).toBe("job");
      const done = await busy.jobs.wait(queued.job_id, { ...allOptions("job-wait"), pollInterval: 100, maxPollInterval: 500, waitTimeout: 20_000 });
      expect(done.status).toBe("succeeded");
      await holder;
    },
  },
  cancelJob: {
    async required() {
      const { queued, holder } = await queueOne("cancel me");
      const job = await busy.jobs.cancel(queued.job_id);
      expect(job.status).toBe("cancelled");
      await expect(busy.jobs.cancel(queued.job_id)).rejects.toBeInstanceOf(ConflictError);
      await holder;
    },
    async all() {
      const { queued, holder } = await queueOne("cancel me too");
      expect((await busy.jobs.cancel(queued.job_id, allOptions("cancel"))).status).toBe("cancelled");
      await holder;
    },
  },
  getUsage: {
    async required() {
      expect(await client.usage.retrieve()).toBeTypeOf("object");
    },
    async all() {
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      const report = await client.usage.retrieve(
        { from: day(-7), to: day(0), group_by: "tenant,day,model,label", tenant_id: "acme" },
        allOptions("usage"),
      );
      expect(report).toBeTypeOf("object");
    },
  },
  listApiKeys: {
    async required() {
      expect((await admin.admin.keys.list()).object).toBe("list");
    },
    async all() {
      await admin.admin.keys.create({ tenant_id: "acme-eu" });
      const list = await admin.admin.keys.list({ tenant_id: "acme-eu" }, allOptions("keys"));
      expect(list.data.length).toBeGreaterThan(0);
      expect(list.data.every((k) => k.tenant_id === "acme-eu")).toBe(true);
    },
  },
  createApiKey: {
    async required() {
      const key = await admin.admin.keys.create({ tenant_id: "acme" });
      expect(key.tenant_id).toBe("acme");
      // The new key works at once.
      const user = createClient({ baseUrl: gateway.url, apiKey: key.key });
      expect((await user.models.list()).object).toBe("list");
    },
    async all() {
      const key = await admin.admin.keys.create(
        { tenant_id: "acme", name: "contract test", limits: { max_concurrent: 4, requests_per_minute: 120, tokens_per_minute: 50_000 }, act_for: ["acme-eu"] },
        allOptions("key-create"),
      );
      expect(key.name).toBe("contract test");
      expect(key.act_for).toEqual(["acme-eu"]);
    },
  },
  revokeApiKey: {
    async required() {
      const key = await admin.admin.keys.create({ tenant_id: "acme" });
      expect((await admin.admin.keys.revoke(key.id)).revoked).toBe(true);
    },
    async all() {
      const key = await admin.admin.keys.create({ tenant_id: "acme" });
      expect((await admin.admin.keys.revoke(key.id, allOptions("revoke"))).revoked).toBe(true);
    },
  },
  getTenantLimits: {
    async required() {
      expect((await admin.admin.tenants.limits.retrieve("acme")).tenant_id).toBe("acme");
    },
    async all() {
      expect((await admin.admin.tenants.limits.retrieve("busy", allOptions("limits"))).object).toBe("tenant.limits");
    },
  },
  setTenantLimits: {
    async required() {
      expect((await admin.admin.tenants.limits.update("acme-eu", {})).overrides).toBeTypeOf("object");
    },
    async all() {
      const limits = { max_concurrent: 20, requests_per_minute: 1_000, tokens_per_minute: 1_000_000 };
      const r = await admin.admin.tenants.limits.update("acme-eu", limits, allOptions("limits-set"));
      expect(r.effective).toMatchObject(limits);
    },
  },
  getHealth: {
    async required() {
      expect((await client.health.check()).status).toBeTypeOf("string");
    },
    async all() {
      expect((await client.health.check(allOptions("health"))).status).toBeTypeOf("string");
    },
  },
  getLiveness: {
    async required() {
      expect(await client.health.live()).toBeTypeOf("object");
    },
    async all() {
      expect(await client.health.live(allOptions("live"))).toBeTypeOf("object");
    },
  },
  getReadiness: {
    async required() {
      expect((await client.health.ready()).ready).toBe(true);
    },
    async all() {
      expect((await client.health.ready(allOptions("ready"))).ready).toBe(true);
    },
  },
  getMetrics: {
    async required() {
      expect(await client.metrics.retrieve()).toContain("runestone_");
    },
    async all() {
      expect(await admin.metrics.retrieve(allOptions("metrics"))).toContain("# TYPE");
    },
  },
  getDashboard: {
    async required() {
      expect(await client.dashboard.page()).toContain("<title>Runestone dashboard</title>");
    },
    async all() {
      expect(await admin.dashboard.page(allOptions("dashboard"))).toContain("uplot");
    },
  },
  getDashboardSummary: {
    async required() {
      expect((await client.dashboard.summary()).minutes).toHaveLength(60);
    },
    async all() {
      expect((await admin.dashboard.summary(allOptions("dashboard-summary"))).object).toBe("dashboard.summary");
    },
  },
  getDashboardUsage: {
    async required() {
      expect((await client.dashboard.usage()).budgets_supported).toBe(true); // budgets exist (issue 18), so the page has a budgets table
    },
    async all() {
      expect((await admin.dashboard.usage(allOptions("dashboard-usage"))).object).toBe("dashboard.usage");
    },
  },
};

describe("the SDK covers the contract", () => {
  it("has a method for every operation in the bundled spec", () => {
    expect(specOperations.length).toBeGreaterThan(0);
    expect(specOperations.filter((id) => !(id in calls))).toEqual([]);
  });

  it("sends every documented field of the chat, messages, responses and embeddings requests in the all-parameters calls", () => {
    expect(schemaProps("CreateChatCompletionRequest").filter((p) => !(p in chatAll))).toEqual([]);
    expect(schemaProps("CreateMessageRequest").filter((p) => !(p in messageAll))).toEqual([]);
    expect(schemaProps("CreateEmbeddingRequest").filter((p) => !(p in embeddingAll))).toEqual([]);
    expect(schemaProps("CreateResponseRequest").filter((p) => !(p in responseAll))).toEqual([]);
  });
});

describe.each(specOperations.filter((id) => id in calls))("%s against a live gateway", (operationId) => {
  it("works with only the required parameters", () => calls[operationId]!.required());
  it("works with every parameter and per-call option", () => calls[operationId]!.all());
});

describe("waitForQueued", () => {
  it("returns the completion of a request that was queued, instead of the 202", async () => {
    const polled: string[] = [];
    const waiting = createClient({
      baseUrl: gateway.url,
      apiKey: KEYS.busy,
      waitForQueued: true,
      fetch: (input, init) => {
        if (input instanceof Request && input.url.includes("/v1/jobs/")) polled.push(input.url);
        return fetch(input, init);
      },
    });
    const { done: holder } = await holdSlot(1_500);
    const result = await waiting.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "patience" }] });
    expect(result.object).toBe("chat.completion");
    expect(result.choices[0]?.message.content).toBe("echo: patience");
    expect(polled.length).toBeGreaterThan(0);
    await holder;
  });
});
