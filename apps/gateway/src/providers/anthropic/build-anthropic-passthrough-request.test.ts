import { describe, expect, it } from "vitest";
import { buildAnthropicPassthroughRequest } from "./build-anthropic-passthrough-request";

const call = (headers: Record<string, string> = {}) => ({ body: { model: "claude-x", max_tokens: 5, messages: [] }, stream: false, headers, requestId: "r" });

describe("buildAnthropicPassthroughRequest", () => {
  it("forwards the body untouched to /v1/messages with the provider's key and our API version", () => {
    const req = buildAnthropicPassthroughRequest(call(), { apiKey: "sk-ant", headers: {}, quirks: {} });
    expect(req).toStrictEqual({
      path: "/v1/messages",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": "sk-ant" },
      body: '{"model":"claude-x","max_tokens":5,"messages":[]}',
    });
  });

  it("keeps the client's API version and merges beta flags from config and client", () => {
    const req = buildAnthropicPassthroughRequest(call({ "anthropic-version": "2024-01-01", "anthropic-beta": "b2, b1" }), {
      apiKey: "sk-ant",
      headers: { "anthropic-beta": "b1" },
      quirks: {},
    });
    expect(req.headers["anthropic-version"]).toBe("2024-01-01");
    expect(req.headers["anthropic-beta"]).toBe("b1,b2");
  });

  it("never lets configured headers replace the key", () => {
    const req = buildAnthropicPassthroughRequest(call(), { apiKey: "sk-ant", headers: { "x-api-key": "other" }, quirks: {} });
    expect(req.headers["x-api-key"]).toBe("sk-ant");
  });

  it("sends a token count to Anthropic's /v1/messages/count_tokens", () => {
    const req = buildAnthropicPassthroughRequest({ ...call(), path: "/v1/messages/count_tokens" }, { apiKey: "sk-ant", headers: {}, quirks: {} });
    expect(req.path).toBe("/v1/messages/count_tokens");
  });
});
