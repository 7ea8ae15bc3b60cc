// The Responses API through the SDK against a spawned gateway (the mock upstream behind its OpenAI and Anthropic
// providers): typed events in order, a stream that can be left early (the request is aborted), an `error` event or
// a cut stream thrown as StreamError, and a previous_response_id conversation read back through the SDK.
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
