import { describe, expect, it } from "vitest";
import { estimatePromptTokens } from "./estimate-prompt-tokens";

describe("prompt token estimate", () => {
  it("counts about four characters per token plus an overhead per message", () => {
    expect(estimatePromptTokens({ messages: [{ role: "user", content: "x".repeat(400) }] })).toBe(3 + 4 + 100);
    expect(estimatePromptTokens({ messages: [{ role: "system", content: "" }, { role: "user", content: "abcd" }] })).toBe(3 + 8 + 1);
  });

  it("counts images at a fixed cost, tool calls and tool definitions by their text", () => {
    const withImage = estimatePromptTokens({
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png", detail: "low" } }, { type: "image_url", image_url: { url: "https://example.com/b.png" } }] }],
    } as never);
    expect(withImage).toBe(3 + 4 + 85 + 765);
    const withTools = estimatePromptTokens({
      messages: [{ role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "abcd", arguments: "efgh" } }] }],
      tools: [{ type: "function", function: { name: "abcd" } }],
    } as never);
    expect(withTools).toBeGreaterThan(3 + 4 + 2);
  });

  it("counts a custom tool call's name and text input", () => {
    const call = (input: string) =>
      estimatePromptTokens({ messages: [{ role: "assistant", content: null, tool_calls: [{ id: "c", type: "custom", custom: { name: "sql", input } }] }] } as never);
    expect(call("x".repeat(400)) - call("")).toBe(100);
  });
});
