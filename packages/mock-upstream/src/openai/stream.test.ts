import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../index.js";
import { parseSse, post } from "../testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

async function streamChat(body: Record<string, unknown>) {
  const res = await post(`${mock.url}/v1/chat/completions`, { model: "gpt-4o-mini", stream: true, ...body });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  const events = parseSse(await res.text());
  expect(events.at(-1)).toEqual({ data: "[DONE]" });
  return events.slice(0, -1).map((e) => JSON.parse(e.data));
}

describe("streamed chat completions", () => {
  it("streams the reply word by word after a role chunk and ends with a finish chunk and [DONE]", async () => {
    const chunks = await streamChat({ messages: [{ role: "user", content: "hello  big world" }] });
    expect(chunks[0]).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion.chunk",
      created: expect.any(Number),
      model: "gpt-4o-mini",
      system_fingerprint: expect.any(String),
      choices: [{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }],
    });
    const deltas = chunks.slice(1, -1).map((c) => c.choices[0].delta.content);
    expect(deltas).toEqual(["echo: ", "hello  ", "big ", "world"]);
    expect(deltas.join("")).toBe("echo: hello  big world");
    expect(chunks.at(-1).choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    for (const c of chunks) expect(c).not.toHaveProperty("usage");
  });

  it("adds a usage chunk before [DONE] and usage null on every other chunk only when include_usage is asked", async () => {
    const chunks = await streamChat({
      messages: [{ role: "user", content: "count me" }],
      stream_options: { include_usage: true },
    });
    const last = chunks.at(-1);
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
  });

  it("streams several tool calls as OpenAI does: id and name first, then argument fragments", async () => {
    mock.behave({
      reply: {
        toolCalls: [
          { name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' },
          { name: "get_time", arguments: '{"tz":"Europe/Paris"}' },
        ],
      },
    });
    const chunks = await streamChat({ messages: [{ role: "user", content: "go" }] });
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: null, refusal: null });
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    const starts = calls.filter((c) => c.id);
    expect(starts).toEqual([
      { index: 0, id: expect.stringMatching(/^call_/), type: "function", function: { name: "get_weather", arguments: "" } },
      { index: 1, id: expect.stringMatching(/^call_/), type: "function", function: { name: "get_time", arguments: "" } },
    ]);
    const argsOf = (i: number) =>
      calls
        .filter((c) => c.index === i)
        .map((c) => c.function.arguments)
        .join("");
    expect(calls.filter((c) => c.index === 0 && !c.id).length).toBeGreaterThan(1);
    expect(argsOf(0)).toBe('{"city":"Paris","unit":"c"}');
    expect(argsOf(1)).toBe('{"tz":"Europe/Paris"}');
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
  });

  it("splits the reply into exactly the number of chunks asked for", async () => {
    mock.behave({ chunks: 3, reply: { content: "abcdefghi" } });
    const chunks = await streamChat({ messages: [{ role: "user", content: "x" }] });
    expect(chunks.slice(1, -1).map((c) => c.choices[0].delta.content)).toEqual(["abc", "def", "ghi"]);
  });

  it("streams a huge reply in a few large chunks", async () => {
    mock.behave({ hugeResponseBytes: 100_000 });
    const chunks = await streamChat({ messages: [{ role: "user", content: "x" }] });
    const content = chunks.slice(1, -1).map((c) => c.choices[0].delta.content).join("");
    expect(content.length).toBeGreaterThanOrEqual(100_000);
    expect(content.length).toBeLessThan(100_010);
    expect(chunks.length).toBeLessThan(40);
  });
});
