import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../index.js";
import { post } from "../testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const count = (body: Record<string, unknown>, headers: Record<string, string> = {}) => post(`${mock.url}/v1/messages/count_tokens`, body, headers);

describe("POST /v1/messages/count_tokens", () => {
  it("counts the prompt as /v1/messages reports it: a word per token, 3 per message and for the system prompt", async () => {
    const res = await count({ model: "claude-sonnet-4-5", system: "be brief", messages: [{ role: "user", content: "hello world" }] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ input_tokens: 2 + 3 + 2 + 3 });
    expect(mock.requests[0]!.path).toBe("/v1/messages/count_tokens");
  });

  it("answers the behaviour's prompt_tokens, and its faults in Anthropic's shape", async () => {
    mock.behave({ usage: { prompt_tokens: 4242 } }, { times: 1 });
    expect(await (await count({ model: "claude-x", messages: [{ role: "user", content: "hi" }] })).json()).toEqual({ input_tokens: 4242 });
    mock.behave({ status: 529 }, { times: 1 });
    const overloaded = await count({ model: "claude-x", messages: [{ role: "user", content: "hi" }] });
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
  });

  it("refuses a request without messages in Anthropic's shape", async () => {
    const res = await count({ model: "claude-x" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });
});
