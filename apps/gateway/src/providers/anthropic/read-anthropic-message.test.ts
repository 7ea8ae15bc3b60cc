import { describe, expect, it } from "vitest";
import { UpstreamError } from "../../core/upstream-error";
import { readAnthropicMessage, readAnthropicTokenCount } from "./read-anthropic-message";

const message = { id: "msg_1", type: "message", role: "assistant", content: [{ type: "text", text: "hi" }], stop_reason: "end_turn", usage: { input_tokens: 3, output_tokens: 1 } };

describe("readAnthropicMessage", () => {
  it("passes a message through as the same object", () => {
    expect(readAnthropicMessage(message, "claude")).toBe(message);
  });

  it.each([["null", null], ["a list", [1]], ["a string", "x"], ["an empty object", {}], ["a numeric id", { ...message, id: 5 }], ["content null", { ...message, content: null }], ["content [null]", { ...message, content: [null] }]])(
    "refuses %s as the upstream's protocol error, naming the provider",
    (_name, json) => {
      let thrown: unknown;
      try {
        readAnthropicMessage(json, "claude");
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(UpstreamError);
      expect(thrown).toMatchObject({ kind: "protocol", provider: "claude" });
    },
  );
});

describe("readAnthropicTokenCount", () => {
  it("passes a count through", () => {
    const count = { input_tokens: 12, context_management: { original_input_tokens: 14 } };
    expect(readAnthropicTokenCount(count, "claude")).toBe(count);
  });

  it.each([["null"], ["[1]"], ['"x"'], ["{}"], ['{"input_tokens":"12"}'], ['{"input_tokens":-5}'], ['{"input_tokens":1e400}'], ['{"input_tokens":2.5}'], ['{"input_tokens":{}}']])("refuses %s", (text) => {
    expect(() => readAnthropicTokenCount(JSON.parse(text), "claude")).toThrow(UpstreamError);
  });
});
