// The Responses API through the SDK against a spawned gateway (the mock upstream behind its OpenAI and Anthropic
// providers): typed events in order, a stream that can be left early (the request is aborted), an `error` event or
// a cut stream thrown as StreamError, and a previous_response_id conversation read back through the SDK.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, NotFoundError, StreamError, type ResponseStreamEvent, type RunestoneClient } from "../src/index";
import { contractConfig, KEYS } from "./contract-config";
import { startGateway, startMockUpstream, type RunningProcess } from "./gateway-process";

let mock: RunningProcess;
let gateway: RunningProcess;
let client: RunestoneClient;

beforeAll(async () => {
  mock = await startMockUpstream();
  gateway = await startGateway({ config: contractConfig(mock.url) });
  client = createClient({ baseUrl: gateway.url, apiKey: KEYS.acme, maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await mock?.stop();
});

async function collect(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe("responses.stream", () => {
  it.each(["mock-echo", "claude-haiku-4-5", "gpt-4o-mini"])("yields %s's events in order, from response.created to response.completed", async (model) => {
    const stream = await client.responses.stream({ model, input: "tell me more" });
    expect(stream.requestId).toBeTruthy();
    const events = await collect(stream);
    expect(events[0]?.type).toBe("response.created");
    expect(events.at(-1)?.type).toBe("response.completed");
    expect(events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("")).toBe("echo: tell me more");
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const done = events.at(-1)!.response!;
    expect(done.status).toBe("completed");
    // The streamed answer was stored: it can be read back.
    expect((await client.responses.retrieve(done.id)).output).toEqual(done.output);
  });

  it("aborts the request when the consumer leaves the loop early", async () => {
    const sent: Request[] = [];
    const spy = createClient({
      baseUrl: gateway.url,
      apiKey: KEYS.acme,
      fetch: (input, init) => {
        if (input instanceof Request) sent.push(input);
        return fetch(input, init);
      },
    });
    const long = Array.from({ length: 5_000 }, (_, i) => `word${i}`).join(" ");
    const stream = await spy.responses.stream({ model: "mock-echo", input: long });
    let seen = 0;
    for await (const _event of stream) if (++seen === 3) break;
    expect(seen).toBe(3);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.signal.aborted).toBe(true);
    // The client is still usable.
    expect((await spy.responses.create({ model: "mock-echo", input: "after" })).status).toBe("completed");
  });

  it("throws StreamError on an error event from the provider after the stream started", async () => {
    const stream = await client.responses.stream({ model: "openai/gpt-4o-mini::midStreamError=2", input: "one two three four five" });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StreamError);
    expect(seen[0]).toBe("response.created");
    expect(seen).not.toContain("response.completed");
  });

  it("throws StreamError when the stream is cut before its last event", async () => {
    const stream = await client.responses.stream({ model: "openai/gpt-4o-mini::cutAfter=2", input: "one two three four five" });
    await expect(collect(stream)).rejects.toBeInstanceOf(StreamError);
  });
});

describe("stream.finalResponse()", () => {
  it("returns the completed response", async () => {
    const response = await (await client.responses.stream({ model: "claude-haiku-4-5", input: "final answer" })).finalResponse();
    expect(response.status).toBe("completed");
    expect(response.output.find((o) => o.type === "message")?.content?.[0]?.text).toBe("echo: final answer");
  });

  it("throws StreamError when a translated stream fails mid-way (response.failed), never returning a partial answer", async () => {
    const stream = await client.responses.stream({ model: "anthropic/claude-haiku-4-5::midStreamError=2", input: "one two three four five" });
    const err = await stream.finalResponse().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StreamError);
    // The failure's own code and message, from the response.failed event.
    expect((err as StreamError).code).toBe("upstream_overloaded");
  });
});

describe("responses.create with previous_response_id", () => {
  it("continues a stored conversation, whose items list shows the whole history", async () => {
    const first = await client.responses.create({ model: "claude-haiku-4-5", input: "My name is Ada" });
    const second = await client.responses.create({ model: "claude-haiku-4-5", previous_response_id: first.id, input: "What is my name" });
    expect(second.previous_response_id).toBe(first.id);
    const items = await client.responses.inputItems.list(second.id, { order: "asc" });
    expect(items.data.map((i) => i.role)).toEqual(["user", "assistant", "user"]);
    await client.responses.delete(first.id);
    await expect(client.responses.create({ model: "claude-haiku-4-5", previous_response_id: first.id, input: "again" })).rejects.toBeInstanceOf(NotFoundError);
    // The continuation kept its own copy of the conversation.
    expect((await client.responses.retrieve(second.id)).id).toBe(second.id);
  });

  it("refuses another tenant's response id as NotFoundError", async () => {
    const mine = await client.responses.create({ model: "mock-echo", input: "acme only" });
    const other = createClient({ baseUrl: gateway.url, apiKey: KEYS.acmeEu, maxRetries: 0 });
    await expect(other.responses.retrieve(mine.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.responses.delete(mine.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.responses.create({ model: "mock-echo", previous_response_id: mine.id, input: "x" })).rejects.toBeInstanceOf(NotFoundError);
  });
});

/** The fenced code block that follows `heading` in a Markdown file. */
function blockAfter(file: URL, heading: string): string {
  const text = readFileSync(file, "utf8");
  const at = text.indexOf(`${heading}\n`);
  if (at < 0) throw new Error(`${file.pathname} has no "${heading}" section`);
  const block = /```(?:ts|js)\n([\s\S]*?)```/.exec(text.slice(at))?.[1];
  if (!block) throw new Error(`${file.pathname} has no code block under "${heading}"`);
  return block;
}

/** Runs an example's code with `names` bound, capturing what it logs and writes; returns its local `vars`. */
async function runExample(code: string, names: Record<string, unknown>, vars: string[]): Promise<{ out: string; vars: Record<string, unknown> }> {
  let out = "";
  const io = { console: { log: (...a: unknown[]) => (out += `${a.join(" ")}\n`) }, process: { env: { RUNESTONE_API_KEY: KEYS.acme }, stdout: { write: (t: string) => (out += t) } } };
  const all = { ...io, ...names };
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<Record<string, unknown>>;
  const run = new AsyncFunction(...Object.keys(all), `${code}\nreturn { ${vars.join(", ")} };`);
  const result = await run(...Object.values(all));
  return { out, vars: result };
}

describe("the documented examples, run as written", () => {
  it("runs the SDK README's Responses API example", async () => {
    const code = blockAfter(new URL("../README.md", import.meta.url), "### The Responses API");
    const { out, vars } = await runExample(code, { runestone: client }, ["first", "next"]);
    expect(out).toContain("echo: Tell me a story");
    expect(out).toMatch(/tokens: \d+/);
    const first = vars.first as { id: string };
    expect((vars.next as { previous_response_id: string }).previous_response_id).toBe(first.id);
    // Its last line deleted the first response.
    await expect(client.responses.retrieve(first.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("runs the Responses guide's @runestone/sdk example", async () => {
    const code = blockAfter(new URL("../../../apps/docs/guides/07-responses-api.md", import.meta.url), "## With @runestone/sdk")
      .replace(/^import .*$/m, "")
      .replace("http://127.0.0.1:4001", gateway.url);
    const { out, vars } = await runExample(code, { createClient }, ["response", "stored", "items"]);
    expect(out).toBe("echo: Tell me a story");
    expect((vars.stored as { id: string }).id).toBe((vars.response as { id: string }).id);
    expect((vars.items as { data: unknown[] }).data).toHaveLength(1);
    await expect(client.responses.retrieve((vars.response as { id: string }).id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
