import { describe, expect, it } from "vitest";
import { RequestTranslationError } from "../../providers/anthropic";
import { loadJson, requestCases, type ReverseRequestCase } from "./__fixtures__/fixtures";
import { convertToChatRequest } from "./convert-to-chat-request";
import type { ChatTarget, MessagesRequest } from "./messages-types";

const openai: ChatTarget = { kind: "openai", family: "general" };
const user = [{ role: "user" as const, content: "Hi" }];
const convert = (body: Partial<MessagesRequest> & Record<string, unknown>, target: ChatTarget = openai) =>
  convertToChatRequest({ model: "gpt-4o-mini", max_tokens: 10, messages: user, ...body } as MessagesRequest, target) as Record<string, unknown>;

describe("convertToChatRequest (golden cases)", () => {
  it.each(requestCases)("translates the %s case exactly", (name) => {
    const c = loadJson<ReverseRequestCase>(`${name}.case.json`);
    expect(convertToChatRequest(c.anthropic, c.target)).toStrictEqual(c.openai);
  });
});

describe("convertToChatRequest", () => {
  it("maps tool_choice auto, any, none and a named tool", () => {
    const tools = [{ name: "f", input_schema: { type: "object" } }];
    expect(convert({ tools, tool_choice: { type: "auto" } }).tool_choice).toBe("auto");
    expect(convert({ tools, tool_choice: { type: "any" } }).tool_choice).toBe("required");
    expect(convert({ tools, tool_choice: { type: "none" } }).tool_choice).toBe("none");
    expect(convert({ tools, tool_choice: { type: "tool", name: "f" } }).tool_choice).toStrictEqual({ type: "function", function: { name: "f" } });
  });

  it("sends max_tokens to OpenAI-compatible servers and max_completion_tokens to OpenAI", () => {
    expect(convert({}, openai)).toMatchObject({ max_completion_tokens: 10 });
    expect(convert({}, { kind: "openai-compatible", family: "general" })).toMatchObject({ max_tokens: 10 });
    expect(convert({}, openai)).not.toHaveProperty("max_tokens");
  });

  it("keeps top_k for compatible servers and drops it for OpenAI, which refuses it", () => {
    expect(convert({ top_k: 5 }, { kind: "openai-compatible", family: "general" })).toMatchObject({ top_k: 5 });
    expect(convert({ top_k: 5 })).not.toHaveProperty("top_k");
  });

  it("maps a thinking budget to reasoning_effort on reasoning models only", () => {
    const reasoning = { kind: "openai", family: "reasoning" } as const;
    expect(convert({ thinking: { type: "enabled", budget_tokens: 1024 } }, reasoning).reasoning_effort).toBe("low");
    expect(convert({ thinking: { type: "enabled", budget_tokens: 20000 } }, reasoning).reasoning_effort).toBe("high");
    expect(convert({ thinking: { type: "disabled" } }, reasoning)).not.toHaveProperty("reasoning_effort");
    expect(convert({ thinking: { type: "enabled", budget_tokens: 20000 } })).not.toHaveProperty("reasoning_effort");
  });

  it("refuses Anthropic's server tools for OpenAI-shaped models, naming the tool", () => {
    const body = { tools: [{ name: "web_search", type: "web_search_20250305" }] };
    expect(() => convert(body)).toThrow(RequestTranslationError);
    expect(() => convert(body)).toThrow(expect.objectContaining({ param: "tools.0.type" }));
  });

  it("refuses a block type it cannot translate, naming where it is", () => {
    const messages = [{ role: "user" as const, content: [{ type: "search_result", source: { type: "x" } }] }];
    expect(() => convert({ messages })).toThrow(expect.objectContaining({ param: "messages.0.content.0.type" }));
  });

  it("refuses an image without a usable source and a PDF by URL", () => {
    const image = [{ role: "user" as const, content: [{ type: "image", source: { type: "file", file_id: "f1" } }] }];
    expect(() => convert({ messages: image })).toThrow(expect.objectContaining({ param: "messages.0.content.0.source" }));
    const pdf = [{ role: "user" as const, content: [{ type: "document", source: { type: "url", url: "https://x/a.pdf" } }] }];
    expect(() => convert({ messages: pdf })).toThrow(expect.objectContaining({ param: "messages.0.content.0.source" }));
  });

  it("drops an assistant turn that held only thinking", () => {
    const messages = [
      { role: "user" as const, content: "a" },
      { role: "assistant" as const, content: [{ type: "thinking", thinking: "x", signature: "s" }] },
      { role: "user" as const, content: "b" },
    ];
    expect(convert({ messages }).messages).toStrictEqual([
      { role: "user", content: "a" },
      { role: "user", content: "b" },
    ]);
  });
});
