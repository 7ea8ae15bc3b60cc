import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockBehavior, type MockUpstream } from "./index.js";
import { parseSse, post, readUntilEnd } from "./testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

const user = [{ role: "user", content: "one two three" }];
const behave = (b: MockBehavior) => ({ "x-mock-behavior": JSON.stringify(b) });
const chat = (b: MockBehavior, extra: Record<string, unknown> = {}) =>
  post(`${mock.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: user, ...extra }, behave(b));

describe("hostile answers on demand", () => {
  it("sends usageJson verbatim as usage, in JSON and in the stream's usage chunk", async () => {
    const json = await (await chat({ usageJson: '{"prompt_tokens":1e400,"completion_tokens":"12"}' })).text();
    expect(json).toContain('"usage":{"prompt_tokens":1e400,"completion_tokens":"12"}');

    const res = await chat({ usageJson: "-5" }, { stream: true, stream_options: { include_usage: true } });
    const events = parseSse((await readUntilEnd(res)).text);
    expect(events.some((e) => e.data.endsWith('"usage":-5}'))).toBe(true);
    expect(events.at(-1)!.data).toBe("[DONE]");
  });

  it("sends usageJson in Anthropic's message_start and message_delta, and in embeddings", async () => {
    const res = await post(`${mock.url}/v1/messages`, { model: "claude-x", max_tokens: 50, messages: user, stream: true }, behave({ usageJson: "null" }));
    const events = parseSse((await readUntilEnd(res)).text);
    expect(events.find((e) => e.event === "message_start")!.data).toContain('"usage":null');
    expect(events.find((e) => e.event === "message_delta")!.data).toContain('"usage":null');

    const emb = await post(`${mock.url}/v1/embeddings`, { model: "e", input: "hi" }, behave({ usageJson: '{"prompt_tokens":{}}' }));
    expect(await emb.text()).toContain('"usage":{"prompt_tokens":{}}');
  });

  it("sends usageJson in a Responses answer and in its stream's terminal event", async () => {
    const json = await (await post(`${mock.url}/v1/responses`, { model: "gpt-x", input: "hi" }, behave({ usageJson: '{"input_tokens":"12"}' }))).text();
    expect(json).toContain('"usage":{"input_tokens":"12"}');
    const res = await post(`${mock.url}/v1/responses`, { model: "gpt-x", input: "hi", stream: true }, behave({ usageJson: "1e400" }));
    const events = parseSse((await readUntilEnd(res)).text);
    expect(events.at(-1)!.event).toBe("response.completed");
    expect(events.at(-1)!.data).toContain('"usage":1e400');
    expect(events[0]!.data).toContain('"usage":null');
  });

  it("answers a rawBody as it is, as SSE for a stream", async () => {
    const res = await chat({ rawBody: '{"choices":[null]}' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"choices":[null]}');
    const sse = await chat({ rawBody: "data: 5\n\ndata: [DONE]\n\n" }, { stream: true });
    expect(sse.headers.get("content-type")).toContain("text/event-stream");
    expect(await sse.text()).toBe("data: 5\n\ndata: [DONE]\n\n");
  });

  it("streams one huge line without a newline after the first content event", async () => {
    const res = await chat({ hugeLineBytes: 300_000 }, { stream: true });
    const { text } = await readUntilEnd(res);
    const last = text.slice(text.lastIndexOf("\n\n") + 2);
    expect(last.startsWith('data: {"x":"aaa')).toBe(true);
    expect(last.length).toBe('data: {"x":"'.length + 300_000);
    expect(last).not.toContain("\n");
    const before = parseSse(text.slice(0, text.lastIndexOf("\n\n")));
    expect(before.filter((e) => /"content":"[^"]+"/.test(e.data))).toHaveLength(1);
  });

  it("takes hugeLineBytes as a model directive", async () => {
    const res = await post(`${mock.url}/v1/chat/completions`, { model: "gpt-4o-mini::hugeLineBytes=1000", messages: user, stream: true });
    expect((await readUntilEnd(res)).text).toContain("a".repeat(1000));
  });
});
