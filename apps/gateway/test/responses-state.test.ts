// What the Responses API keeps, through the official openai SDK against a real gateway: create, retrieve and
// delete; another tenant never reaches a response (404 on GET, DELETE and as previous_response_id);
// previous_response_id replays the stored conversation to providers that keep no state (the built-in mock,
// Anthropic through the mock upstream), also after a restart of the gateway on the same SQLite file, and across
// two instances sharing Redis.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import Database from "better-sqlite3";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, OTHER_KEY, TENANT_KEY, tempSqlitePath } from "./harness";
import { startRedis, type RedisServer } from "./redis-server";

function configYaml(upstreamUrl: string, state: string): string {
  return `
server: { host: 127.0.0.1, port: 0, shutdown_grace_ms: 2000 }
state: ${state}
resilience:
  retries: { max_retries: 0 }
providers:
  mock: { type: mock }
  anthropic: { type: anthropic, base_url: ${upstreamUrl}, api_key: sk-ant-upstream-responses-state }
models:
  mock-echo:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: mock }]
  claude-sonnet-4-5:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: anthropic, model: claude-sonnet-4-5-20250929 }]
tenants:
  - { id: tenant-a, keys: [${TENANT_KEY}] }
  - { id: tenant-b, keys: [${OTHER_KEY}] }
`;
}

let upstream: MockUpstream;
const logger = createLogger("silent", new LogCapture());
const sdk = (gw: RunningGateway, key = TENANT_KEY) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
const start = (state: string, extra: { validateResponses?: boolean } = {}) =>
  startGateway({ config: parseConfig(configYaml(upstream.url, state), {}).config, logger, validateResponses: extra.validateResponses ?? true });

/** The text of every message the upstream got in its last Anthropic Messages request, by role. */
function lastAnthropicTurns(): Array<{ role: string; text: string }> {
  const req = upstream.requests.filter((r) => r.path.endsWith("/messages")).at(-1)!;
  const messages = (req.body as { messages: Array<{ role: string; content: unknown }> }).messages;
  return messages.map((m) => ({
    role: m.role,
    text: typeof m.content === "string" ? m.content : (m.content as Array<{ type: string; text?: string }>).filter((b) => b.type === "text").map((b) => b.text).join(""),
  }));
}

beforeAll(async () => {
  upstream = await startMockUpstream();
});
afterAll(async () => {
  await upstream?.close();
});

describe("stored responses through the openai SDK (embedded)", () => {
  let gw: RunningGateway;
  let a: OpenAI;
  let b: OpenAI;
  beforeAll(async () => {
    gw = await start(`{ sqlite_path: ${tempSqlitePath()} }`);
    a = sdk(gw);
    b = sdk(gw, OTHER_KEY);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("retrieves a created response as it was answered, then deletes it", async () => {
    const created = await a.responses.create({ model: "mock-echo", input: "remember this" });
    expect(created.output_text).toBe("echo: remember this");
    const again = await a.responses.retrieve(created.id);
    expect(again.id).toBe(created.id);
    expect(again.output).toEqual(created.output);
    expect(again.output_text).toBe("echo: remember this");
    await a.responses.delete(created.id);
    await expect(a.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(a.responses.delete(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("stores a streamed response: its response.completed one", async () => {
    const stream = await a.responses.create({ model: "mock-echo", input: "stream and keep", stream: true });
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) if (event.type === "response.completed") completed = event.response;
    expect(completed?.output_text ?? (await a.responses.retrieve(completed!.id)).output_text).toBe("echo: stream and keep");
    expect((await a.responses.retrieve(completed!.id)).output).toEqual(completed!.output);
  });

  it("keeps nothing for store: false", async () => {
    const created = await a.responses.create({ model: "mock-echo", input: "forget this", store: false });
    await expect(a.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("never lets another tenant read, delete or continue a response: 404 as for an unknown id", async () => {
    const created = await a.responses.create({ model: "mock-echo", input: "tenant a only" });
    const notFound = async (p: Promise<unknown>) => {
      const err = await p.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      return err as InstanceType<typeof OpenAI.NotFoundError>;
    };
    expect((await notFound(b.responses.retrieve(created.id))).code).toBe("response_not_found");
    expect((await notFound(b.responses.delete(created.id))).code).toBe("response_not_found");
    expect((await notFound(b.responses.create({ model: "mock-echo", previous_response_id: created.id, input: "mine now?" }))).code).toBe("previous_response_not_found");
    expect((await notFound(b.responses.retrieve("resp_does_not_exist"))).code).toBe("response_not_found");
    // Still there for its own tenant.
    expect((await a.responses.retrieve(created.id)).output_text).toBe("echo: tenant a only");
  });

  it("continues a conversation on the built-in mock: the whole history reaches the model", async () => {
    const first = await a.responses.create({ model: "mock-echo", input: "My name is Ada" });
    const second = await a.responses.create({ model: "mock-echo", previous_response_id: first.id, input: "What is my name" });
    expect(second.output_text).toBe("echo: What is my name");
    expect(second.previous_response_id).toBe(first.id);
    // The mock counts 3 tokens per message plus its words: user (4), assistant "echo: My name is Ada" (5), user (4).
    expect(first.usage?.input_tokens).toBe(3 + 4);
    expect(second.usage?.input_tokens).toBe(3 * 3 + 4 + 5 + 4);
    const items = await a.responses.inputItems.list(second.id, { order: "asc" });
    expect(items.data.map((i) => (i as { role?: string }).role)).toEqual(["user", "assistant", "user"]);
  });

  it("continues a conversation on an Anthropic model (translated): the upstream receives the replayed turns", async () => {
    const first = await a.responses.create({ model: "claude-sonnet-4-5", input: "The capital of France is Paris", instructions: "Be brief." });
    expect(first.output_text).toBe("echo: The capital of France is Paris");
    const second = await a.responses.create({ model: "claude-sonnet-4-5", previous_response_id: first.id, input: "And of Italy?" });
    expect(second.output_text).toBe("echo: And of Italy?");
    expect(lastAnthropicTurns()).toEqual([
      { role: "user", text: "The capital of France is Paris" },
      { role: "assistant", text: "echo: The capital of France is Paris" },
      { role: "user", text: "And of Italy?" },
    ]);
    // A chain of three: the second's stored conversation is replayed whole.
    await a.responses.create({ model: "claude-sonnet-4-5", previous_response_id: second.id, input: "And of Spain?" });
    expect(lastAnthropicTurns().map((t) => t.text)).toEqual([
      "The capital of France is Paris",
      "echo: The capital of France is Paris",
      "And of Italy?",
      "echo: And of Italy?",
      "And of Spain?",
    ]);
  });

  it("completes a function-tool round trip by previous_response_id: Anthropic gets the tool_use and its tool_result", async () => {
    const tools: OpenAI.Responses.Tool[] = [
      { type: "function", name: "get_weather", description: "Weather in a city", strict: false, parameters: { type: "object", properties: { city: { type: "string" } } } },
    ];
    const first = await a.responses.create({ model: "claude-sonnet-4-5", input: "Weather in Paris?", tools });
    const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === "function_call");
    expect(call?.name).toBe("get_weather");
    const second = await a.responses.create({
      model: "claude-sonnet-4-5",
      previous_response_id: first.id,
      tools,
      input: [{ type: "function_call_output", call_id: call!.call_id, output: '{"temperature_c":18}' }],
    });
    expect(second.status).toBe("completed");
    const req = upstream.requests.filter((r) => r.path.endsWith("/messages")).at(-1)!;
    const messages = (req.body as { messages: Array<{ role: string; content: Array<Record<string, unknown>> }> }).messages;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    const toolUse = messages[1]!.content.find((b) => b.type === "tool_use");
    expect(toolUse).toMatchObject({ name: "get_weather" });
    expect(messages[2]!.content.find((b) => b.type === "tool_result")).toMatchObject({ tool_use_id: toolUse!.id });
  });

  it("pages input items the way the SDK's auto-pagination reads them, newest first", async () => {
    const input = Array.from({ length: 25 }, (_, i) => ({ role: "user" as const, content: `line ${i}` }));
    const created = await a.responses.create({ model: "mock-echo", input });
    const seen: string[] = [];
    for await (const item of a.responses.inputItems.list(created.id)) seen.push((item as unknown as { content: string }).content);
    expect(seen).toEqual(input.map((m) => m.content).reverse());
    const firstPage = await a.responses.inputItems.list(created.id, { limit: 10, order: "asc" });
    expect(firstPage.data).toHaveLength(10);
    expect(firstPage.hasNextPage()).toBe(true);
  });

  it("continues a conversation across models: a mock response continued on Anthropic", async () => {
    const first = await a.responses.create({ model: "mock-echo", input: "Started on the mock" });
    await a.responses.create({ model: "claude-sonnet-4-5", previous_response_id: first.id, input: "Finished on Claude" });
    expect(lastAnthropicTurns().map((t) => t.text)).toEqual(["Started on the mock", "echo: Started on the mock", "Finished on Claude"]);
  });
});

describe("a response too large to store", () => {
  it("is answered with store: false and an x-runestone-store header (a follow-up is 404), and the log says why without its text", async () => {
    const logs = new LogCapture();
    const yaml = `${configYaml(upstream.url, `{ sqlite_path: ${tempSqlitePath()} }`)}responses: { max_stored_bytes: 4096 }\n`;
    const gw = await startGateway({ config: parseConfig(yaml, {}).config, logger: createLogger("info", logs) });
    try {
      const a = sdk(gw);
      // About 3 KB of input fits the bound; with its echo the record does not.
      const big = Array.from({ length: 220 }, (_, i) => `secretword${i}`).join(" ");
      const { data: created, response } = await a.responses.create({ model: "mock-echo", input: big }).withResponse();
      expect(created.output_text).toBe(`echo: ${big}`);
      expect((created as unknown as { store?: boolean }).store).toBe(false);
      expect(response.headers.get("x-runestone-store")).toBe("skipped; too-large");
      await expect(a.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      await expect(a.responses.create({ model: "mock-echo", previous_response_id: created.id, input: "more" })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      // A stream's final event says it too.
      const streamed = await a.responses.stream({ model: "mock-echo", input: big }).finalResponse();
      expect((streamed as unknown as { store?: boolean }).store).toBe(false);
      await expect(a.responses.retrieve(streamed.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      // A small one is stored as usual under the same bound, and says so.
      const { data: small, response: smallRes } = await a.responses.create({ model: "mock-echo", input: "small" }).withResponse();
      expect((small as unknown as { store?: boolean }).store).not.toBe(false);
      expect(smallRes.headers.get("x-runestone-store")).toBeNull();
      expect((await a.responses.retrieve(small.id)).output_text).toBe("echo: small");
      expect(logs.text()).toContain("ResponseTooLargeToStoreError");
      expect(logs.text()).not.toContain("secretword");
    } finally {
      await gw.close();
    }
  });

  it("refuses, before any upstream call, an input that alone is over the bound unless store is false", async () => {
    const yaml = `${configYaml(upstream.url, `{ sqlite_path: ${tempSqlitePath()} }`)}responses: { max_stored_bytes: 4096 }\n`;
    const gw = await startGateway({ config: parseConfig(yaml, {}).config, logger });
    try {
      const a = sdk(gw);
      const huge = "word ".repeat(2000);
      upstream.reset();
      const err = await a.responses.create({ model: "claude-sonnet-4-5", input: huge }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect(err).toMatchObject({ param: "input", code: "input_too_large_to_store" });
      expect(upstream.requests).toHaveLength(0);
      expect((await a.responses.create({ model: "mock-echo", input: huge, store: false })).status).toBe("completed");
    } finally {
      await gw.close();
    }
  });
});

describe("a long conversation stored turn by turn", () => {
  it("keeps each turn once (storage grows linearly), lists the whole conversation's items, and 404s once an earlier turn is gone", async () => {
    const path = tempSqlitePath();
    const yaml = configYaml(upstream.url, `{ sqlite_path: ${path} }`);
    const gw = await startGateway({ config: parseConfig(yaml, {}).config, logger });
    try {
      const a = sdk(gw);
      const turn = "x".repeat(2000);
      let prev: string | undefined;
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await a.responses.create({ model: "mock-echo", input: `${i} ${turn}`, ...(prev ? { previous_response_id: prev } : {}) });
        ids.push(r.id);
        prev = r.id;
      }
      // Each record holds its own turn: ~2 KB of input and its ~2 KB echo, not the conversation so far.
      // The store writes behind (within ~100 ms): wait, bounded, for the 8 rows.
      const db = new Database(path, { readonly: true });
      let sizes: number[] = [];
      for (let waited = 0; sizes.length < 8 && waited < 10_000; waited += 50) {
        sizes = (db.prepare("SELECT length(record) AS n FROM responses").all() as Array<{ n: number }>).map((r) => r.n);
        if (sizes.length < 8) await new Promise((r) => setTimeout(r, 50));
      }
      db.close();
      expect(sizes).toHaveLength(8);
      expect(Math.max(...sizes)).toBeLessThan(6000);
      // input_items walks the chain: 8 inputs and the 7 replayed outputs between them.
      const items = [];
      for await (const item of a.responses.inputItems.list(ids[7]!, { order: "asc", limit: 100 })) items.push(item);
      expect(items).toHaveLength(15);
      expect(JSON.stringify(items[0])).toContain(`0 ${turn}`);
      // An earlier turn deleted: the later one is still read, but neither continued nor listed.
      await a.responses.delete(ids[2]!);
      expect((await a.responses.retrieve(ids[7]!)).id).toBe(ids[7]);
      const cont = await a.responses.create({ model: "mock-echo", input: "more", previous_response_id: ids[7]! }).catch((e: unknown) => e);
      expect(cont).toBeInstanceOf(OpenAI.NotFoundError);
      expect((cont as Error).message).toContain(`earlier turn ('${ids[2]}')`);
      await expect(a.responses.inputItems.list(ids[7]!)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    } finally {
      await gw.close();
    }
  });
});

describe("stored responses across a gateway restart (embedded)", () => {
  it("retrieves and continues, after the restart, a response answered before it", async () => {
    const state = `{ sqlite_path: ${tempSqlitePath()} }`;
    const before = await start(state);
    const first = await sdk(before).responses.create({ model: "claude-sonnet-4-5", input: "Before the restart" });
    await before.close();

    const after = await start(state);
    try {
      const a = sdk(after);
      expect((await a.responses.retrieve(first.id)).output_text).toBe("echo: Before the restart");
      await a.responses.create({ model: "claude-sonnet-4-5", previous_response_id: first.id, input: "After the restart" });
      expect(lastAnthropicTurns().map((t) => t.text)).toEqual(["Before the restart", "echo: Before the restart", "After the restart"]);
      await expect(sdk(after, OTHER_KEY).responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    } finally {
      await after.close();
    }
  });
});

describe("stored responses shared through Redis", () => {
  let redis: RedisServer;
  let one: RunningGateway;
  let two: RunningGateway;
  beforeAll(async () => {
    redis = await startRedis();
    const state = `{ redis_url: "${redis.url}", redis_prefix: "responses-state:" }`;
    one = await start(state);
    two = await start(state);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await redis?.stop();
  });

  it("lets another instance retrieve, continue and delete what one answered, for the same tenant only", async () => {
    const first = await sdk(one).responses.create({ model: "mock-echo", input: "Answered by one" });
    expect((await sdk(two).responses.retrieve(first.id)).output_text).toBe("echo: Answered by one");
    await expect(sdk(two, OTHER_KEY).responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const second = await sdk(two).responses.create({ model: "mock-echo", previous_response_id: first.id, input: "Continued by two" });
    expect(second.usage?.input_tokens).toBe(3 * 3 + 3 + 4 + 3);
    await sdk(two).responses.delete(first.id);
    await expect(sdk(one).responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
