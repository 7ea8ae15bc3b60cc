import { describe, expect, it } from "vitest";
import { redactResponsesErrorEvent, redactResponsesFailedEvent } from "./redact-responses-error-event";

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

describe("redactResponsesFailedEvent", () => {
  it("scrubs a key the upstream echoed in response.error.message and keeps the rest of the event", () => {
    const data = JSON.stringify({ type: "response.failed", sequence_number: 3, response: { id: "resp_1", status: "failed", error: { code: "server_error", message: "bad key sk-proj-abcdefghijklmnop1234 here", trace: "x".repeat(5000) }, output: [] } });
    const out = JSON.parse(redactResponsesFailedEvent(data)) as { sequence_number: number; response: Record<string, unknown> };
    expect(out.response.error).toEqual({ code: "server_error", message: "bad key [redacted] here" });
    expect(out.response.id).toBe("resp_1");
    expect(out.sequence_number).toBe(3);
  });

  it("relays a clean event byte for byte", () => {
    const data = `{"type":"response.failed","response":{"id":"r","error":{"code":"server_error","message":"The server had an error."}}}`;
    expect(redactResponsesFailedEvent(data)).toBe(data);
  });
});
