import { describe, expect, it } from "vitest";
import { parseGeminiError } from "./parse-gemini-error";

const body = (code: number, status: string, message: string, details: unknown[] = []) => JSON.stringify({ error: { code, message, status, details } });

describe("parseGeminiError", () => {
  it("400 INVALID_ARGUMENT is the request's fault: invalid_request_error, not retryable, Google's message kept", () => {
    const e = parseGeminiError(400, {}, body(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
    expect([e.kind, e.status, e.type, e.code, e.retryable, e.message]).toStrictEqual(["http", 400, "invalid_request_error", "INVALID_ARGUMENT", false, "Invalid JSON payload received."]);
  });

  it("a 400 with reason API_KEY_INVALID is a configuration error (401) that does not echo Google's text", () => {
    const e = parseGeminiError(400, {}, body(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }]));
    expect([e.kind, e.status, e.type, e.retryable]).toStrictEqual(["configuration", 401, "authentication_error", false]);
  });

  it("429 RESOURCE_EXHAUSTED is retryable after RetryInfo's retryDelay", () => {
    const e = parseGeminiError(429, {}, body(429, "RESOURCE_EXHAUSTED", "Quota exceeded", [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "17s" }]));
    expect([e.type, e.retryable, e.retryAfterMs]).toStrictEqual(["rate_limit_error", true, 17_000]);
  });

  it.each([500, 503])("%i is retryable", (status) => {
    const e = parseGeminiError(status, { "retry-after": "2" }, body(status, status === 503 ? "UNAVAILABLE" : "INTERNAL", "The model is overloaded."));
    expect([e.status, e.retryable, e.retryAfterMs]).toStrictEqual([status, true, 2000]);
  });

  it("reads a body that is not JSON without failing", () => {
    const e = parseGeminiError(502, {}, "<html>bad gateway</html>");
    expect([e.status, e.retryable, e.message]).toStrictEqual([502, true, "upstream answered HTTP 502"]);
  });
});
