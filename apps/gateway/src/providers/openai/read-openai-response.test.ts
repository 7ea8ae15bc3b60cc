import { describe, expect, it } from "vitest";
import { UpstreamError } from "../../core/upstream-error";
import { readOpenAIResponse, readResponsesTerminalEvent } from "./read-openai-response";

const usage = { input_tokens: 12, input_tokens_details: { cached_tokens: 2 }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 };
const response = { id: "resp_1", object: "response", status: "completed", output: [{ type: "message", content: [] }], usage };

describe("readOpenAIResponse", () => {
  it("passes a well-formed answer through as the same object", () => {
    expect(readOpenAIResponse(response)).toBe(response);
  });

  it.each([["null", null], ["a list", [1, 2, 3]], ["a string", "text"], ["an empty object", {}], ["a numeric id", { ...response, id: 5 }], ["output null", { ...response, output: null }], ["output [null]", { ...response, output: [null] }], ["a message whose content is a number", { ...response, output: [{ type: "message", role: "assistant", content: 5 }] }], ["content parts that are not objects", { ...response, output: [{ type: "message", content: [null] }] }], ["a call output that is an object", { ...response, output: [{ type: "function_call_output", call_id: "c", output: { x: 1 } }] }]])(
    "refuses %s as the upstream's protocol error (502), not a TypeError later (500)",
    (_name, json) => {
      expect(() => readOpenAIResponse(json)).toThrow(UpstreamError);
    },
  );

  it.each([['"12"'], ["-5"], ["1e400"], ["{}"], ["2.5"], ["null"], ['"x"']])("answers usage built on %s as null", (v) => {
    const raw = JSON.parse(`{"input_tokens":${v},"output_tokens":${v},"total_tokens":${v}}`);
    expect(readOpenAIResponse({ ...response, usage: raw }).usage).toBeNull();
    expect(readOpenAIResponse({ ...response, usage: JSON.parse(v) }).usage).toBeNull();
  });

  it("recomputes a total and drops details that are not counts", () => {
    const out = readOpenAIResponse({ ...response, usage: { input_tokens: 4, output_tokens: 3, total_tokens: "7", input_tokens_details: { cached_tokens: -1 }, output_tokens_details: { reasoning_tokens: 9 } } });
    expect(out.usage).toEqual({ input_tokens: 4, output_tokens: 3, total_tokens: 7, output_tokens_details: { reasoning_tokens: 3 } });
  });
});

describe("readResponsesTerminalEvent", () => {
  it("relays a clean event byte for byte", () => {
    const data = JSON.stringify({ type: "response.completed", sequence_number: 9, response });
    expect(readResponsesTerminalEvent(data, "response.completed")).toBe(data);
  });

  it("rewrites only the usage of an event whose counts are not counts", () => {
    const data = `{"type":"response.completed","sequence_number":9,"response":{"id":"resp_1","output":[],"usage":{"input_tokens":1e400,"output_tokens":"12"}}}`;
    expect(JSON.parse(readResponsesTerminalEvent(data, "response.completed"))).toEqual({ type: "response.completed", sequence_number: 9, response: { id: "resp_1", output: [], usage: null } });
  });

  it("refuses a response.completed or response.incomplete whose response could not be kept or replayed", () => {
    for (const type of ["response.completed", "response.incomplete"] as const) {
      for (const data of ['{"malformed": ', `{"type":"${type}","response":null}`, "5", `{"type":"${type}","response":{"id":"r","output":[{"type":"message","content":5}]}}`]) {
        expect(() => readResponsesTerminalEvent(data, type), data).toThrow(UpstreamError);
      }
    }
  });

  it("relays a response.failed as it came, whatever its shape", () => {
    for (const data of ['{"malformed": ', '{"type":"response.failed","response":null}', "5"]) expect(readResponsesTerminalEvent(data, "response.failed")).toBe(data);
  });
});
