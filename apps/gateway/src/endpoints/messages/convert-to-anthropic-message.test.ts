import { describe, expect, it } from "vitest";
import type { ChatCompletion } from "../../core/provider-contract";
import { loadJson } from "./__fixtures__/fixtures";
import { convertToAnthropicMessage } from "./convert-to-anthropic-message";
import type { MessageResponse } from "./messages-types";

interface ResponseCase {
  openai: ChatCompletion;
  anthropic: MessageResponse;
}

const completion = (message: Record<string, unknown>, finish: string): ChatCompletion =>
  ({ id: "c1", object: "chat.completion", created: 0, model: "m", choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: finish, logprobs: null }] }) as ChatCompletion;

describe("convertToAnthropicMessage", () => {
  it.each(["text-and-tool-call", "reasoning-length"])("translates the %s case exactly", (name) => {
    const c = loadJson<ResponseCase>(`${name}.response.json`);
    expect(convertToAnthropicMessage(c.openai, "public-model")).toStrictEqual(c.anthropic);
  });

  it("maps every finish_reason to its stop_reason", () => {
    const stop = (f: string) => convertToAnthropicMessage(completion({ content: "x" }, f), "m").stop_reason;
    expect(stop("stop")).toBe("end_turn");
    expect(stop("length")).toBe("max_tokens");
    expect(stop("tool_calls")).toBe("tool_use");
    expect(stop("function_call")).toBe("tool_use");
    expect(stop("content_filter")).toBe("refusal");
  });

  it("answers a refusal as text with stop_reason refusal", () => {
    const m = convertToAnthropicMessage(completion({ content: null, refusal: "I can't help with that." }, "stop"), "m");
    expect(m.content).toStrictEqual([{ type: "text", text: "I can't help with that." }]);
    expect(m.stop_reason).toBe("refusal");
  });

  it("turns tool arguments that are not a JSON object into an empty input", () => {
    const m = convertToAnthropicMessage(completion({ content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{oops" } }] }, "tool_calls"), "m");
    expect(m.content).toStrictEqual([{ type: "tool_use", id: "c", name: "f", input: {} }]);
  });

  it("reports zero usage when the upstream sent none", () => {
    expect(convertToAnthropicMessage(completion({ content: "x" }, "stop"), "m").usage).toStrictEqual({
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });
});
