// Streaming per ARCHITECTURE.md: role chunk first, [DONE] last, errors as an error event with no
// [DONE], fallback only before the first byte, and a client disconnect aborting the upstream.
import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, readSse, startHarness, TENANT_KEY, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const chat = () => `${h.url}/v1/chat/completions`;

describe("streaming", () => {
  it("answers text/event-stream with a role chunk first and data: [DONE] last", async () => {
    const res = await postJson(chat(), { model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "a b c" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("x-runestone-provider")).toBe("openai");
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(chunks[0].provider).toBe("openai");
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("echo: a b c");
  });

  it("always streams on /v1/chat/stream, even without stream: true", async () => {
    const res = await postJson(`${h.url}/v1/chat/stream`, { model: "mock-echo", messages: [{ role: "user", content: "x y" }] });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    expect(events.slice(0, -1).map((e) => JSON.parse(e).choices[0]?.delta?.content ?? "").join("")).toBe("echo: x y");
  });

  it("turns a mid-stream upstream error into an error event and no [DONE]", async () => {
    h.upstream.behave({ midStreamError: 2 }, { times: 1 });
    const events = await readSse(await postJson(chat(), { model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "one two three four" }] }));
    expect(events).not.toContain("[DONE]");
    const last = JSON.parse(events.at(-1)!);
    expect(last.error.type).toBeTruthy();
    expect(Object.keys(last.error).sort()).toEqual(["code", "message", "param", "type"]);
  });

  it("reports a stream cut without its final event as an error, never as success", async () => {
    h.upstream.behave({ cutAfter: 2 }, { times: 1 });
    const events = await readSse(await postJson(chat(), { model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "one two three four" }] }));
    expect(events).not.toContain("[DONE]");
    expect(JSON.parse(events.at(-1)!).error).toBeDefined();
  });

  it("reports a stream that ends without [DONE] as an error", async () => {
    h.upstream.behave({ omitDone: true }, { times: 1 });
    const events = await readSse(await postJson(chat(), { model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "one two" }] }));
    expect(events).not.toContain("[DONE]");
    expect(JSON.parse(events.at(-1)!).error.code).toBe("upstream_protocol_error");
  });

  it("reports a malformed chunk as an error event", async () => {
    h.upstream.behave({ malformedAt: 2 }, { times: 1 });
    const events = await readSse(await postJson(chat(), { model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "one two three" }] }));
    expect(events).not.toContain("[DONE]");
    expect(JSON.parse(events.at(-1)!).error.code).toBe("upstream_protocol_error");
  });

  it("falls back before the first byte when the primary fails, and says so in headers", async () => {
    h.upstream.behave({ status: 503 }, { times: 1, model: "primary-model" });
    const res = await postJson(chat(), { model: "gpt-4o-fallback", stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect(res.headers.get("x-runestone-fallbacks")).toBe("1");
    expect((await readSse(res)).at(-1)).toBe("[DONE]");
  });

  it("answers a JSON error when every candidate fails before the stream starts", async () => {
    h.upstream.behave({ status: 500 });
    const res = await postJson(chat(), { model: "gpt-4o-fallback", stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("service_error");
  });

  it("aborts the upstream request as soon as the client disconnects mid-stream", async () => {
    h.upstream.behave({ chunkDelayMs: 50 }, { times: 1 });
    const body = JSON.stringify({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: Array(100).fill("w").join(" ") }] });
    await new Promise<void>((resolve, reject) => {
      const req = http.request(chat(), { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TENANT_KEY}` } }, (res) => {
        let seen = 0;
        res.on("data", () => {
          if (++seen === 3) {
            req.destroy();
            resolve();
          }
        });
        res.on("error", () => undefined);
      });
      req.on("error", () => undefined);
      req.setTimeout(5000, () => reject(new Error("no data")));
      req.end(body);
    });
    const disconnectedAt = Date.now();
    await h.upstream.waitFor((rs) => rs.length === 1 && rs[0]!.clientClosedAt !== undefined, 2000);
    const upstreamReq = h.upstream.requests[0]!;
    expect(upstreamReq.completed).toBe(false);
    expect(upstreamReq.clientClosedAt! - disconnectedAt).toBeLessThan(500);
  });

  it("passes a usage chunk to the client only when it asked for one", async () => {
    const withUsage = await readSse(await postJson(chat(), { model: "mock-echo", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "a" }] }));
    const chunks = withUsage.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.at(-1).usage.total_tokens).toBeGreaterThan(0);
    const without = await readSse(await postJson(chat(), { model: "mock-echo", stream: true, messages: [{ role: "user", content: "a" }] }));
    expect(without.slice(0, -1).map((e) => JSON.parse(e)).every((c) => c.choices.length > 0)).toBe(true);
  });
});
