import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { splitModel } from "./behavior.js";
import { startMockUpstream, type MockUpstream } from "./index.js";
import { post, send } from "./testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const chat = (model: string, headers: Record<string, string> = {}) =>
  post(`${mock.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "hi" }] }, headers);

describe("choosing a behaviour", () => {
  it("reads directives after :: in the model name, with numbers, booleans and stall modes", () => {
    expect(splitModel("gpt-4o-mini::status=429,retryAfter=2")).toEqual({
      model: "gpt-4o-mini",
      directives: { status: 429, retryAfter: 2 },
    });
    expect(splitModel("claude-x::cutAfter=3,chunkDelayMs=5,omitDone=1,stall=before-headers")).toEqual({
      model: "claude-x",
      directives: { cutAfter: 3, chunkDelayMs: 5, omitDone: true, stall: "before-headers" },
    });
    expect(splitModel("plain")).toEqual({ model: "plain" });
  });

  it("applies model-name directives and echoes the model without them", async () => {
    const failed = await chat("gpt-4o-mini::status=429,retryAfter=2");
    expect(failed.status).toBe(429);
    expect(failed.headers.get("retry-after")).toBe("2");

    const ok = await (await chat("gpt-4o-mini::latencyMs=1")).json();
    expect(ok.model).toBe("gpt-4o-mini");
  });

  it("refuses an unknown directive with a 400 so typos do not pass silently", async () => {
    const res = await chat("gpt-4o-mini::stauts=429");
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain('unknown mock directive "stauts"');
  });

  it("applies the x-mock-behavior header", async () => {
    const res = await chat("gpt-4o-mini", { "x-mock-behavior": JSON.stringify({ reply: { content: "from header" } }) });
    expect((await res.json()).choices[0].message.content).toBe("from header");
  });

  it("uses a rule for the next `times` requests only", async () => {
    mock.behave({ status: 500 }, { times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await chat("gpt-4o-mini")).status);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it("matches rules by model and path, in order", async () => {
    mock.behave({ status: 401 }, { model: "other-model" });
    mock.behave({ status: 503 }, { path: "/v1/messages" });
    mock.behave({ status: 429 }, { model: "gpt-4o-mini", times: 1 });
    mock.behave({ status: 500 });
    expect((await chat("gpt-4o-mini")).status).toBe(429);
    expect((await chat("gpt-4o-mini")).status).toBe(500);
    expect((await chat("other-model")).status).toBe(401);
  });

  it("lets a per-request choice win over the rules without using one up", async () => {
    mock.behave({ status: 500 }, { times: 1 });
    expect((await chat("gpt-4o-mini::latencyMs=1")).status).toBe(200);
    expect((await chat("gpt-4o-mini")).status).toBe(500);
  });

  it("is driven over HTTP through the control endpoints", async () => {
    const behave = await post(`${mock.url}/_mock/behave`, { behavior: { status: 418 }, times: 1, model: "gpt-4o-mini" });
    expect(await behave.json()).toEqual({ ok: true });
    expect((await chat("gpt-4o-mini")).status).toBe(418);

    const listed = await (await send(`${mock.url}/_mock/requests`)).json();
    expect(listed.requests).toHaveLength(1);
    expect(listed.requests[0]).toMatchObject({ id: 1, method: "POST", path: "/v1/chat/completions", completed: true });

    mock.behave({ status: 500 });
    await post(`${mock.url}/_mock/reset`, {});
    expect(mock.requests).toHaveLength(0);
    expect((await chat("gpt-4o-mini")).status).toBe(200);
  });
});
