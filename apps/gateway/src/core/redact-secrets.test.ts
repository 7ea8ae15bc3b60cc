import { describe, expect, it } from "vitest";
import { parseAnthropicError } from "../providers/anthropic/parse-anthropic-error";
import { parseOpenAIError } from "../providers/openai/parse-openai-error";
import { redactErrorEvent } from "../providers/redact-error-event";
import { redactSecrets, registerSecrets } from "./redact-secrets";
import { MAX_UPSTREAM_MESSAGE_CHARS, UpstreamError } from "./upstream-error";

/** Milliseconds `run` takes, the best of three runs (a loaded machine can stall one; a quadratic pattern is slow in all). */
function bestMs(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

const MB = 1024 * 1024;

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

  // Inputs on which an unbounded `\s*[:=]?\s*` or a JWT pattern restarted inside a token run backtracks
  // quadratically: at 1 MB that is minutes, here each is a few milliseconds. The bound is generous (a
  // busy machine must not fail it) and still orders of magnitude below what backtracking costs.
  it.each([
    ["key + spaces", "key" + " ".repeat(MB)],
    ["api_key: + spaces", "api_key:" + " ".repeat(MB)],
    ["key repeated", "key ".repeat(MB / 4)],
    ["eyJ + letters", "eyJ" + "a".repeat(MB)],
    ["eyJ- repeated", "eyJ-".repeat(MB / 4)],
    ["eyJ segment + letters", "eyJaaaaaaaaaa." + "a".repeat(MB)],
    ["Bearer + spaces", "Bearer " + " ".repeat(MB)],
    ["Basic + spaces + letters", "Basic " + " ".repeat(MB / 2) + "a".repeat(MB / 2)],
    ["Basic a+ repeated", "Basic a+".repeat(MB / 8)],
    ["sk-a- repeated", "sk-a-".repeat(MB / 5)],
    ["AIza- repeated", "AIza-".repeat(MB / 5)],
  ])("redacts 1 MB of adversarial text (%s) in linear time", (_name, text) => {
    expect(bestMs(() => redactSecrets(text))).toBeLessThan(1000);
  });

  it("redacts a configured secret before cutting a long upstream message, so the cut cannot split it", () => {
    const secret = "my-own-upstream-password-1234";
    registerSecrets([secret]);
    const text = "x".repeat(MAX_UPSTREAM_MESSAGE_CHARS - 10) + secret;
    const err = parseOpenAIError(400, {}, JSON.stringify({ error: { message: text } }));
    expect(err.message).toHaveLength(MAX_UPSTREAM_MESSAGE_CHARS);
    expect(err.message).not.toContain(secret.slice(0, 10));
    expect(err.message.endsWith("[redacted]")).toBe(true);
  });

  it("cuts an upstream's megabytes of error message (Anthropic, OpenAI) to a short, redacted message, promptly", () => {
    const huge = "key" + " ".repeat(4 * MB);
    let anthropic: UpstreamError | undefined;
    let openai: UpstreamError | undefined;
    const ms = bestMs(() => {
      anthropic = parseAnthropicError(500, {}, JSON.stringify({ type: "error", error: { type: "api_error", message: huge } }));
      openai = parseOpenAIError(500, {}, JSON.stringify({ error: { message: huge, type: huge, code: huge, param: huge } }));
    });
    expect(ms).toBeLessThan(1000); // mostly JSON.parse of 20 MB; the redaction itself only sees 8 KB per field
    expect(anthropic!.message).toHaveLength(MAX_UPSTREAM_MESSAGE_CHARS);
    expect(openai!.message).toHaveLength(MAX_UPSTREAM_MESSAGE_CHARS);
    for (const field of [openai!.type, openai!.code, openai!.param]) expect(field!.length).toBeLessThanOrEqual(200);
  });
});

describe("redactErrorEvent", () => {
  it("relays an error event's type and message, redacted", () => {
    const data = JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded for Bearer sk-abcdefghijklmnop" } });
    expect(JSON.parse(redactErrorEvent(data))).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded for Bearer [redacted]" } });
  });

  it("cuts a 4 MB error event's message before redacting it, and keeps it JSON", () => {
    const data = JSON.stringify({ type: "error", error: { type: "api_error", message: "token: " + "a".repeat(30) + " ".repeat(4 * MB) } });
    let out = "";
    expect(bestMs(() => (out = redactErrorEvent(data)))).toBeLessThan(500);
    const event = JSON.parse(out) as { error: { type: string; message: string } };
    expect(event.error.type).toBe("api_error");
    expect(event.error.message.startsWith("token: [redacted]")).toBe(true);
    expect(event.error.message).toHaveLength(MAX_UPSTREAM_MESSAGE_CHARS);
  });

  it("cuts and redacts an error event that is not JSON", () => {
    expect(redactErrorEvent("upstream said sk-abcdefghijklmnop" + " ".repeat(MB))).toBe("upstream said [redacted]" + " ".repeat(MAX_UPSTREAM_MESSAGE_CHARS - 24));
  });
});
