import { describe, expect, it } from "vitest";
import { estimateChatTokens, estimatedAnswerUsage, estimateEmbeddingInputTokens, estimateMessageTokens, estimatePromptTokens, outputChars } from "./estimate-tokens";

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

describe("request token estimates", () => {
  const plan = { candidates: [{ model: { maxOutputTokens: 1000 } }] };

  it("reserves a chat request's prompt plus its output cap, or the model's output limit when it names none", () => {
    const messages = [{ role: "user" as const, content: "x".repeat(40) }];
    expect(estimateChatTokens({ body: { messages, max_completion_tokens: 50 }, plan })).toBe(3 + 4 + 10 + 50);
    expect(estimateChatTokens({ body: { messages, max_tokens: 20 }, plan })).toBe(3 + 4 + 10 + 20);
    expect(estimateChatTokens({ body: { messages }, plan })).toBe(3 + 4 + 10 + 1000);
    expect(estimateChatTokens({ body: { messages }, plan }, 7)).toBe(7 + 1000);
  });

  it("reserves the output cap once per choice: n choices may each write up to it, and all are billed", () => {
    const messages = [{ role: "user" as const, content: "x".repeat(40) }];
    expect(estimateChatTokens({ body: { messages, max_tokens: 1, n: 50 }, plan })).toBe(3 + 4 + 10 + 50);
    expect(estimateChatTokens({ body: { messages, n: 3 }, plan }, 7)).toBe(7 + 3000);
    expect(estimateChatTokens({ body: { messages, max_tokens: 10, n: null }, plan }, 7)).toBe(7 + 10);
    // Validation bounds n to 1..128 before; the estimate never goes below one choice or above 128 either way.
    expect(estimateChatTokens({ body: { messages, max_tokens: 10, n: 0 }, plan }, 7)).toBe(7 + 10);
    expect(estimateChatTokens({ body: { messages, max_tokens: 10, n: 1e9 }, plan }, 7)).toBe(7 + 1280);
  });

  it("counts a Messages request's system, text and tools by their text, images flat, plus max_tokens", () => {
    const text = estimateMessageTokens({ model: "m", max_tokens: 10, system: "x".repeat(40), messages: [{ role: "user", content: "y".repeat(40) }] } as never);
    expect(text).toBe(4 + 20 + 10);
    const image = estimateMessageTokens({
      model: "m",
      max_tokens: 0,
      messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "A".repeat(100_000) } }] }],
    } as never);
    expect(image).toBe(4 + 1600);
  });

  it("counts embeddings input text at four characters per token and token ids exactly", () => {
    expect(estimateEmbeddingInputTokens("x".repeat(41))).toBe(11);
    expect(estimateEmbeddingInputTokens(["abcd", "efgh"])).toBe(2);
    expect(estimateEmbeddingInputTokens([1, 2, 3] as never)).toBe(3);
    expect(estimateEmbeddingInputTokens([[1, 2, 3], [4]] as never)).toBe(4);
  });
});

describe("answer token estimates", () => {
  it("counts content, reasoning and tool-call arguments as output", () => {
    expect(outputChars({ content: "ab", reasoning_content: "cd", tool_calls: [{ function: { arguments: "{}" } }, { custom: { input: "q" } }] })).toBe(7);
    expect(outputChars(undefined)).toBe(0);
  });

  it("estimates an unreported answer's usage from the prompt estimate and the answer's text", () => {
    const usage = estimatedAnswerUsage(12, { choices: [{ message: { content: "x".repeat(41) } }, { message: { content: "abcd" } }] });
    expect(usage).toEqual({ prompt_tokens: 12, completion_tokens: 12, total_tokens: 24 });
  });
});
