import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockBehavior, type MockUpstream } from "./index.js";
import { parseSse, post, readUntilEnd } from "./testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const user = [{ role: "user", content: "one two three four" }];
const chat = (behavior: MockBehavior, extra: Record<string, unknown> = {}, signal?: AbortSignal) =>
  post(
    `${mock.url}/v1/chat/completions`,
    { model: "gpt-4o-mini", messages: user, ...extra },
    { "x-mock-behavior": JSON.stringify(behavior) },
    signal,
  );
const message = (behavior: MockBehavior, extra: Record<string, unknown> = {}) =>
  post(
    `${mock.url}/v1/messages`,
    { model: "claude-x", max_tokens: 100, messages: user, ...extra },
    { "x-mock-behavior": JSON.stringify(behavior) },
  );

describe("faults on demand", () => {
  it("answers a 429 in OpenAI's shape with Retry-After and retry-after-ms", async () => {
    const res = await chat({ status: 429, retryAfter: 2, retryAfterMs: 1500 });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(res.headers.get("retry-after-ms")).toBe("1500");
    expect(await res.json()).toEqual({
      error: { message: expect.stringContaining("Rate limit reached"), type: "requests", param: null, code: "rate_limit_exceeded" },
    });
  });

  it("answers statuses on /v1/messages in Anthropic's shape, 529 as overloaded_error", async () => {
    const overloaded = await message({ status: 529 });
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });

    const limited = await message({ status: 429, errorMessage: "slow down" });
    expect(await limited.json()).toEqual({ type: "error", error: { type: "rate_limit_error", message: "slow down" } });
  });

  it("uses errorType and errorMessage as given", async () => {
    const res = await chat({ status: 429, errorType: "insufficient_quota", errorMessage: "You exceeded your current quota" });
    expect((await res.json()).error).toEqual({
      message: "You exceeded your current quota",
      type: "insufficient_quota",
      param: null,
      code: "insufficient_quota",
    });
  });

  it("answers a streaming request that fails with a JSON error before any event", async () => {
    const res = await chat({ status: 503 }, { stream: true });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect((await res.json()).error.type).toBe("service_unavailable");
  });

  it("waits latencyMs before sending the headers", async () => {
    const started = performance.now();
    const res = await chat({ latencyMs: 60 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(res.status).toBe(200);
  });

  it("never answers when stalled before headers, and records when the client gives up", async () => {
    const abort = new AbortController();
    const pending = chat({ stall: "before-headers" }, {}, abort.signal);
    await mock.waitFor((r) => r.length === 1);
    abort.abort();
    await expect(pending).rejects.toThrow();
    await mock.waitFor((r) => r[0]!.clientClosedAt !== undefined);
    expect(mock.requests[0]!.completed).toBe(false);
    expect(mock.requests[0]!.clientClosedAt).toBeGreaterThanOrEqual(mock.requests[0]!.receivedAt);
  });

  it("stops sending after the first content chunk when stalled mid-stream", async () => {
    const abort = new AbortController();
    const res = await chat({ stall: "mid-stream" }, { stream: true }, abort.signal);
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes('"content":"echo: "')) text += new TextDecoder().decode((await reader.read()).value);
    const next = await Promise.race([reader.read().then(() => "data"), new Promise((r) => setTimeout(r, 50, "stalled"))]);
    expect(next).toBe("stalled");
    abort.abort();
    await mock.waitFor((r) => r[0]?.clientClosedAt !== undefined);
  });

  it("cuts the stream after k content chunks without the final chunk or [DONE]", async () => {
    const res = await chat({ cutAfter: 2 }, { stream: true });
    const { text, broken } = await readUntilEnd(res);
    expect(broken).toBe(true);
    const events = parseSse(text);
    const contents = events.map((e) => JSON.parse(e.data).choices[0].delta.content);
    expect(contents).toEqual(["", "echo: ", "one "]);
    expect(text).not.toContain("[DONE]");
    await mock.waitFor((r) => r.length === 1 && r[0]!.completed === false);
    expect(mock.requests[0]!.clientClosedAt).toBeUndefined();
  });

  it("cuts an Anthropic stream without message_delta or message_stop", async () => {
    const res = await message({ cutAfter: 1 }, { stream: true });
    const { text, broken } = await readUntilEnd(res);
    expect(broken).toBe(true);
    expect(parseSse(text).map((e) => e.event)).toEqual(["message_start", "content_block_start", "ping", "content_block_delta"]);
  });

  it("sends invalid JSON as the data of the k-th event", async () => {
    const res = await chat({ malformedAt: 2 }, { stream: true });
    const events = parseSse(await res.text());
    expect(() => JSON.parse(events[0]!.data)).not.toThrow();
    expect(() => JSON.parse(events[1]!.data)).toThrow();
    expect(events.at(-1)!.data).toBe("[DONE]");
  });

  it("sends an OpenAI error event after k chunks and ends without [DONE]", async () => {
    const res = await chat({ midStreamError: 1 }, { stream: true });
    const events = parseSse(await res.text());
    expect(events).toHaveLength(3);
    expect(JSON.parse(events[2]!.data)).toEqual({
      error: { message: expect.any(String), type: "server_error", param: null, code: null },
    });
  });

  it("sends an Anthropic error event with overloaded_error after k chunks", async () => {
    const res = await message({ midStreamError: 2 }, { stream: true });
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "error",
    ]);
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
  });

  it("ends the stream cleanly but without [DONE] or message_stop when omitDone is set", async () => {
    const openai = parseSse(await (await chat({ omitDone: true }, { stream: true })).text());
    expect(JSON.parse(openai.at(-1)!.data).choices[0].finish_reason).toBe("stop");
    expect(openai.some((e) => e.data === "[DONE]")).toBe(false);

    const anthropic = parseSse(await (await message({ omitDone: true }, { stream: true })).text());
    expect(anthropic.at(-1)!.event).toBe("message_delta");
  });

  it("spaces stream events by chunkDelayMs", async () => {
    const started = performance.now();
    const events = parseSse(await (await chat({ chunkDelayMs: 10 }, { stream: true })).text());
    expect(events).toHaveLength(8);
    expect(performance.now() - started).toBeGreaterThanOrEqual(60);
  });

  it("cuts a non-streamed body halfway when cutAfter is set", async () => {
    const res = await chat({ cutAfter: 0 });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });
});
