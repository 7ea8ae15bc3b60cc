import { describe, expect, it } from "vitest";
import { redactSecrets, registerSecrets } from "./redact-secrets";
import { UpstreamError } from "./upstream-error";

describe("redactSecrets", () => {
  it("removes configured secrets wherever they appear, but not short ones", () => {
    registerSecrets(["my-own-upstream-password-1234", "none"]);
    expect(redactSecrets("rejected my-own-upstream-password-1234 (none)")).toBe("rejected [redacted] (none)");
  });

  it.each([
    ["Incorrect API key provided: sk-proj-AbCdEf0123456789xyz.", "Incorrect API key provided: [redacted]."],
    ["header was Authorization: Bearer sk-live-0123456789abcdef", "header was Authorization: Bearer [redacted]"],
    ["bearer abc.def.ghi rejected", "bearer [redacted] rejected"],
    ["Authorization: Basic dXNlcjpwYXNzd29yZA== refused", "Authorization: Basic [redacted] refused"],
    ["invalid x-api-key sk-ant-api03-AbCdEfGh_ijkl-mnop", "invalid x-api-key [redacted]"],
    ["aws AKIAABCDEFGHIJKLMNOP denied", "aws [redacted] denied"],
    ["google AIzaSyA-0123456789abcdefghijklmnop", "google [redacted]"],
    ['{"api_key": "0123456789abcdef0123456789abcdef"}', '{"api_key": "[redacted]"}'],
    ["token=dGhpcyBpcyBhIHNlY3JldCB0b2tlbiB2YWx1ZQ== expired", "token=[redacted] expired"],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc", "jwt [redacted]"],
  ])("redacts %s", (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it("leaves ordinary error text alone", () => {
    const text =
      "This model's maximum context length is 128000 tokens. Rate limit reached for gpt-4o-mini: token limit exceeded, please retry in 20s. Basic validation failed; the bearer of this key may retry.";
    expect(redactSecrets(text)).toBe(text);
  });

  it("is applied to every UpstreamError's message, code and param", () => {
    const err = new UpstreamError({ kind: "http", status: 400, message: "bad key Bearer sk-abcdefghijklmnop", code: "sk-abcdefghijklmnopq", param: "Bearer xyz123" });
    expect(err.message).toBe("bad key Bearer [redacted]");
    expect(err.code).toBe("[redacted]");
    expect(err.param).toBe("Bearer [redacted]");
  });
});
