import { describe, expect, it } from "vitest";
import type { ChatCompletion, ChatCompletionChunk } from "../core/provider-contract";
import { StreamAssembler } from "./assemble-stream";
import { completionToChunks } from "./completion-to-chunks";

const head = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", system_fingerprint: "fp_1" };
const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({ ...head, choices, ...extra }) as unknown as ChatCompletionChunk;

function assemble(chunks: ChatCompletionChunk[]): ChatCompletion | undefined {
  const a = new StreamAssembler();
  for (const c of chunks) a.add(c);
  return a.complete();
}

describe("StreamAssembler", () => {
  it("joins text, merges two interleaved tool calls by index, and keeps the finish reason and usage", () => {
    const c = assemble([
      chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: "Let me " }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: "check." }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "weather", arguments: "" } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "time", arguments: '{"tz":' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: '"CET"}' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: {}, finish_reason: "tool_calls" }]),
      chunk([], { usage: { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 } }),
    ]);
    expect(c).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1,
      model: "gpt-4o-mini",
      system_fingerprint: "fp_1",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Let me check.",
            refusal: null,
            tool_calls: [
              { id: "call_a", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
              { id: "call_b", type: "function", function: { name: "time", arguments: '{"tz":"CET"}' } },
            ],
          },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 },
    });
  });

  it("keeps n choices apart, with reasoning and logprobs appended", () => {
    const lp = (t: string) => ({ token: t, logprob: -0.1, bytes: null, top_logprobs: [] });
    const c = assemble([
      chunk([{ index: 1, delta: { role: "assistant", reasoning_content: "think " }, finish_reason: null, logprobs: { content: [lp("B")] } }]),
      chunk([{ index: 0, delta: { role: "assistant", content: "A" }, finish_reason: null, logprobs: { content: [lp("A")] } }]),
      chunk([{ index: 1, delta: { reasoning_content: "more", content: "B" }, finish_reason: null, logprobs: { content: [lp("b")] } }]),
      chunk([{ index: 0, delta: {}, finish_reason: "stop" }]),
      chunk([{ index: 1, delta: {}, finish_reason: "length" }]),
    ])!;
    expect(c.choices.map((ch) => [ch.index, ch.message.content, ch.finish_reason])).toEqual([
      [0, "A", "stop"],
      [1, "B", "length"],
    ]);
    expect((c.choices[1]!.message as Record<string, unknown>).reasoning_content).toBe("think more");
    expect(c.choices[1]!.logprobs).toEqual({ content: [lp("B"), lp("b")], refusal: [] });
  });

  it("gives nothing for a stream where a choice never finished (a cut stream), or no choice came", () => {
    expect(assemble([chunk([{ index: 0, delta: { role: "assistant", content: "Hel" }, finish_reason: null }])])).toBeUndefined();
    expect(
      assemble([
        chunk([{ index: 0, delta: { content: "a" }, finish_reason: "stop" }]),
        chunk([{ index: 1, delta: { content: "b" }, finish_reason: null }]),
      ]),
    ).toBeUndefined();
    expect(assemble([chunk([], { usage: { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 } })])).toBeUndefined();
  });
});

describe("completionToChunks", () => {
  it("replays a completion as chunks that assemble back into the same completion", () => {
    const completion = {
      id: "chatcmpl-9",
      object: "chat.completion",
      created: 5,
      model: "gpt-4o-mini",
      service_tier: "default",
      choices: [
        { index: 0, message: { role: "assistant", content: "Hi", refusal: null }, finish_reason: "stop", logprobs: null },
        {
          index: 1,
          message: { role: "assistant", content: null, refusal: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: '{"x":1}' } }] },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    } as unknown as ChatCompletion;
    const chunks = completionToChunks(completion);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === "chatcmpl-9")).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: completion.usage });
    expect(assemble(chunks)).toEqual(completion);
  });
});
