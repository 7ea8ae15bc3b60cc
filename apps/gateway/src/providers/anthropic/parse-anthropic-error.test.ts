import { describe, expect, it } from "vitest";
import { parseAnthropicError } from "./parse-anthropic-error";

const body = (type: string, message: string) => JSON.stringify({ type: "error", error: { type, message } });

describe("parseAnthropicError", () => {
  it("maps 529 overloaded to a retryable 503 overloaded_error", () => {
    const error = parseAnthropicError(529, {}, body("overloaded_error", "Overloaded"));
    expect(error).toMatchObject({ kind: "http", status: 503, type: "overloaded_error", message: "Overloaded", retryable: true });
  });

  it("maps an overloaded_error body under another status the same way", () => {
    expect(parseAnthropicError(500, {}, body("overloaded_error", "Overloaded"))).toMatchObject({ status: 503, type: "overloaded_error" });
  });

  it("maps 429 to rate_limit_error with retry-after in milliseconds", () => {
    const error = parseAnthropicError(429, { "retry-after": "7" }, body("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"));
    expect(error).toMatchObject({ kind: "http", status: 429, type: "rate_limit_error", retryable: true, retryAfterMs: 7000 });
    expect(error.message).toBe("Number of request tokens has exceeded your per-minute rate limit");
  });

  it("keeps Anthropic's message for a 400 and does not retry it", () => {
    const error = parseAnthropicError(400, {}, body("invalid_request_error", "messages.1.content.0.tool_use.id: String should match pattern"));
    expect(error).toMatchObject({
      kind: "http",
      status: 400,
      type: "invalid_request_error",
      message: "messages.1.content.0.tool_use.id: String should match pattern",
      retryable: false,
    });
  });

  it.each([401, 403])("maps %i to a configuration error that never names the key", (status) => {
    const error = parseAnthropicError(status, {}, body("authentication_error", "invalid x-api-key sk-ant-secret"));
    expect(error).toMatchObject({ kind: "configuration", status, retryable: false });
    expect(error.message).toMatch(/^upstream rejected the configured API key for provider anthropic/);
    expect(error.message).not.toContain("sk-ant");
  });

  it("leaves the provider to the caller (its configured id) and names that id in a rejected key's message", () => {
    expect(parseAnthropicError(400, {}, body("invalid_request_error", "bad")).provider).toBeUndefined();
    expect(parseAnthropicError(529, {}, body("overloaded_error", "Overloaded")).provider).toBeUndefined();
    expect(parseAnthropicError(401, {}, body("authentication_error", "invalid x-api-key"), "ant-eu").message).toMatch(/^upstream rejected the configured API key for provider ant-eu /);
  });

  it("maps other 5xx to a retryable api_error, even with a body that is not JSON", () => {
    expect(parseAnthropicError(502, {}, "<html>Bad gateway</html>")).toMatchObject({
      kind: "http",
      status: 502,
      type: "api_error",
      message: "upstream answered HTTP 502",
      retryable: true,
    });
  });

  it("maps 404 to not_found_error without retry", () => {
    expect(parseAnthropicError(404, {}, body("not_found_error", "model: claude-9"))).toMatchObject({
      status: 404,
      type: "not_found_error",
      retryable: false,
    });
  });
});
