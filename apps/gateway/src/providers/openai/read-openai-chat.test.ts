import { describe, expect, it } from "vitest";
import { UpstreamError } from "../../core/upstream-error";
import { readChatChunk, readChatCompletion } from "./read-openai-chat";

const choice = { index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" };
const protocol = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe("protocol");
    return (err as UpstreamError).message;
  }
  throw new Error("expected a protocol error");
};

describe("readChatCompletion", () => {
  it("passes a good answer and sanitizes its usage", () => {
    expect(readChatCompletion({ choices: [choice], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } })).toMatchObject({ usage: { total_tokens: 3 } });
    expect(readChatCompletion({ choices: [choice], usage: { prompt_tokens: "1", completion_tokens: 2 } })).not.toHaveProperty("usage");
  });

  it.each([
    ["choices: [null]", { choices: [null] }],
    ["choices not an array", { choices: { 0: choice } }],
    ["no choices", {}],
    ["a message that is a string", { choices: [{ index: 0, message: "hi" }] }],
    ["content that is a number", { choices: [{ index: 0, message: { content: 5 } }] }],
    ["tool_calls that is an object", { choices: [{ index: 0, message: { content: null, tool_calls: {} } }] }],
    ["arguments that are an object", { choices: [{ index: 0, message: { content: null, tool_calls: [{ function: { arguments: {} } }] } }] }],
    ["a finish_reason that is a number", { choices: [{ ...choice, finish_reason: 1 }] }],
    ["a function call without its function", { choices: [{ index: 0, message: { content: null, tool_calls: [{ id: "c", type: "function" }] } }] }],
    ["a refusal that is an object", { choices: [{ index: 0, message: { content: null, refusal: {} } }] }],
    ["an array", [choice]],
    ["null", null],
  ])("refuses %s as a protocol error", (_name, json) => {
    expect(protocol(() => readChatCompletion(json))).toMatch(/chat completion/);
  });
});

describe("readChatChunk", () => {
  const chunk = (extra: Record<string, unknown>) => ({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "x" }, finish_reason: null }], ...extra });

  it("keeps a good chunk's raw text, and a good usage chunk's", () => {
    expect(readChatChunk(chunk({}))!.rawIsExact).toBe(true);
    expect(readChatChunk(chunk({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }))!.rawIsExact).toBe(true);
  });

  it("drops a usage-only chunk whose usage is unusable, and strips it from a content chunk", () => {
    expect(readChatChunk(chunk({ choices: [], usage: { prompt_tokens: -5, completion_tokens: 2 } }))).toBeUndefined();
    const read = readChatChunk(chunk({ usage: { prompt_tokens: {}, completion_tokens: 2 } }))!;
    expect(read.rawIsExact).toBe(false);
    expect(read.chunk).not.toHaveProperty("usage");
  });

  it("drops Azure's content filter annotations, which carry nothing for the client, and keeps OpenAI's usage chunk", () => {
    const results = { hate: { filtered: false, severity: "safe" } };
    const prompt = { id: "", object: "", created: 0, model: "", prompt_filter_results: [{ prompt_index: 0, content_filter_results: results }], choices: [], usage: null };
    expect(readChatChunk(prompt)).toBeUndefined();
    const offsets = { check_offset: 44, start_offset: 44, end_offset: 198 };
    const completion = { id: "", object: "", created: 0, model: "", choices: [{ index: 0, finish_reason: null, content_filter_results: results, content_filter_offsets: offsets }], usage: null };
    expect(readChatChunk(completion)).toBeUndefined();
    expect(readChatChunk({ id: "c", choices: [] })).toBeUndefined();
    // The annotation that ends a filtered reply does tell the client something: its finish reason.
    const filtered = { ...completion, choices: [{ index: 0, finish_reason: "content_filter", content_filter_results: results }] };
    expect(readChatChunk(filtered)!.chunk.choices[0]).toMatchObject({ finish_reason: "content_filter", delta: {} });
    const usage = chunk({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });
    expect(readChatChunk(usage)!.chunk).toBe(usage);
    // A normal chunk's annotation is extra data in a choice that has its delta: passed as sent.
    const annotated = chunk({ choices: [{ index: 0, delta: { content: "x" }, finish_reason: null, content_filter_results: results }] });
    expect(readChatChunk(annotated)).toEqual({ chunk: annotated, rawIsExact: true });
  });

  it("reads a choice without a delta as an empty delta", () => {
    const read = readChatChunk({ choices: [{ index: 0, finish_reason: "stop" }] })!;
    expect(read.chunk.choices[0]!.delta).toEqual({});
    expect(read.rawIsExact).toBe(false);
  });

  it.each([["a number", 5], ["null", null], ["choices: [null]", { choices: [null] }], ["choices a string", { choices: "x" }], ["a delta that is a string", { choices: [{ index: 0, delta: "x" }] }]])(
    "refuses %s as a protocol error",
    (_name, parsed) => {
      expect(protocol(() => readChatChunk(parsed))).toMatch(/stream chunk/);
    },
  );
});
