import { describe, expect, it } from "vitest";
import { redactResponsesErrorEvent } from "./redact-responses-error-event";

describe("redactResponsesErrorEvent", () => {
  it("keeps OpenAI's error event shape and scrubs a key the upstream echoed", () => {
    const data = JSON.stringify({ type: "error", code: "invalid_api_key", message: "Incorrect API key provided: sk-proj-abcdefghijklmnop1234", param: null, sequence_number: 7, extra: "x".repeat(10_000) });
    const out = JSON.parse(redactResponsesErrorEvent(data)) as Record<string, unknown>;
    expect(out).toEqual({ type: "error", code: "invalid_api_key", message: "Incorrect API key provided: [redacted]", param: null, sequence_number: 7 });
  });

  it("cuts an event that is not JSON and still scrubs it", () => {
    const out = redactResponsesErrorEvent(`oops Bearer abcdefgh12345678 ${"y".repeat(5000)}`);
    expect(out).not.toContain("abcdefgh12345678");
    expect(out.length).toBeLessThan(1100);
  });
});
