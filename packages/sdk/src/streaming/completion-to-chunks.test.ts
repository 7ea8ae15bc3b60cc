import { describe, expect, it } from "vitest";
import { APIUserAbortError } from "../errors/api-user-abort-error";
import type { ChatCompletion, ChatCompletionChunk } from "../types";
import { completionToChunks } from "./completion-to-chunks";
import { encodeSSE } from "./encode-sse";
import { Stream } from "./stream";

const completion: ChatCompletion = {
  id: "chatcmpl-9",
  object: "chat.completion",
  created: 1735689600,
  model: "gpt-4o-mini",
  system_fingerprint: "fp_1",
  provider: "openai",
  routing_policy: "cost",
  request_id: "req_9",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: "  It is sunny in Paris,\nand raining in Oslo. ",
        refusal: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "get_time", arguments: "" } },
        ],
      },
      finish_reason: "tool_calls",
      logprobs: null,
    },
    { index: 1, message: { role: "assistant", content: null, refusal: "I cannot." }, finish_reason: "stop", logprobs: null },
  ],
  usage: { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 },
};

interface Assembled {
  content: string | null;
  refusal?: string;
  reasoning?: string;
  tool_calls: { id?: string; type?: string; function: { name: string; arguments: string } }[];
  finish_reason?: string | null;
}

/** What a consumer of a live stream does: concatenate every choice's deltas. */
function assemble(chunks: ChatCompletionChunk[]): Map<number, Assembled> {
  const out = new Map<number, Assembled>();
  for (const chunk of chunks) {
    for (const c of chunk.choices) {
      const a = out.get(c.index) ?? { content: null, tool_calls: [] };
      out.set(c.index, a);
      if (typeof c.delta.content === "string") a.content = (a.content ?? "") + c.delta.content;
      if (typeof c.delta.refusal === "string") a.refusal = (a.refusal ?? "") + c.delta.refusal;
      if (typeof c.delta.reasoning_content === "string") a.reasoning = (a.reasoning ?? "") + c.delta.reasoning_content;
      for (const t of c.delta.tool_calls ?? []) {
        const call = (a.tool_calls[t.index] ??= { function: { name: "", arguments: "" } });
        if (t.id) call.id = t.id;
        if (t.type) call.type = t.type;
        call.function.name += t.function?.name ?? "";
        call.function.arguments += t.function?.arguments ?? "";
      }
      if (c.finish_reason) a.finish_reason = c.finish_reason;
    }
  }
  return out;
}

describe("completionToChunks", () => {
  it("replays content, refusal and tool calls that reassemble into the completion's messages", () => {
    const chunks = completionToChunks(completion, false);
    const assembled = assemble(chunks);
    expect(assembled.get(0)).toEqual({
      content: completion.choices[0]!.message.content,
      tool_calls: completion.choices[0]!.message.tool_calls,
      finish_reason: "tool_calls",
    });
    expect(assembled.get(1)).toEqual({ content: null, refusal: "I cannot.", tool_calls: [], finish_reason: "stop" });
  });

  it("splits text into word-sized deltas and opens each choice with the assistant role", () => {
    const chunks = completionToChunks(completion, false);
    const pieces = chunks.flatMap((c) => c.choices.filter((ch) => ch.index === 0 && ch.delta.content).map((ch) => ch.delta.content));
    expect(pieces).toEqual(["  ", "It ", "is ", "sunny ", "in ", "Paris,\n", "and ", "raining ", "in ", "Oslo. "]);
    const roles = chunks.filter((c) => c.choices[0]?.delta.role === "assistant").map((c) => c.choices[0]!.index);
    expect(roles).toEqual([0, 1]);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
  });

  it("puts Runestone's provider, routing policy and request id on the first chunk only, and the ids on all", () => {
    const chunks = completionToChunks(completion, false);
    expect(chunks[0]).toMatchObject({ provider: "openai", routing_policy: "cost", request_id: "req_9" });
    expect(chunks.slice(1).some((c) => "provider" in c || "request_id" in c)).toBe(false);
    for (const c of chunks) {
      expect(c).toMatchObject({ id: "chatcmpl-9", object: "chat.completion.chunk", created: 1735689600, model: "gpt-4o-mini", system_fingerprint: "fp_1" });
    }
  });

  it("sends the tool call's id, type and name first, then its arguments, under the call's index", () => {
    const toolDeltas = completionToChunks(completion, false).flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(toolDeltas).toEqual([
      { index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } },
      { index: 0, function: { arguments: '{"city":"Paris"}' } },
      { index: 1, id: "call_2", type: "function", function: { name: "get_time", arguments: "" } },
    ]);
  });

  it("sends a custom tool call whole, its text input included, in one piece", () => {
    const call = { id: "call_3", type: "custom" as const, custom: { name: "run_sql", input: "SELECT 1" } };
    const custom: ChatCompletion = {
      ...completion,
      choices: [{ index: 0, message: { role: "assistant", content: null, refusal: null, tool_calls: [call] }, finish_reason: "tool_calls", logprobs: null }],
    };
    const toolDeltas = completionToChunks(custom, false).flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(toolDeltas).toEqual([{ index: 0, ...call }]);
  });

  it("ends each choice with its finish reason and adds a usage chunk only when asked", () => {
    const without = completionToChunks(completion, false);
    expect(without.some((c) => c.usage)).toBe(false);
    const finals = without.filter((c) => c.choices[0]?.finish_reason);
    expect(finals.map((c) => [c.choices[0]!.index, c.choices[0]!.finish_reason, c.choices[0]!.delta])).toEqual([
      [0, "tool_calls", {}],
      [1, "stop", {}],
    ]);
    const withUsage = completionToChunks(completion, true);
    expect(withUsage.length).toBe(without.length + 1);
    expect(withUsage.at(-1)).toMatchObject({ choices: [], usage: completion.usage });
  });

  it("replays reasoning and thinking blocks with the last block's signature", () => {
    const thinking: ChatCompletion = {
      ...completion,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "42",
            refusal: null,
            reasoning_content: "Let me think.",
            thinking_blocks: [{ type: "thinking", thinking: "Let me think.", signature: "sig-1" }, { type: "redacted_thinking", data: "xyz" }],
          },
          finish_reason: "stop",
          logprobs: null,
        },
      ],
    };
    const deltas = completionToChunks(thinking, false).map((c) => c.choices[0]?.delta);
    expect(deltas.map((d) => d?.reasoning_content ?? "").join("")).toBe("Let me think.");
    expect(deltas.find((d) => d?.thinking_blocks)?.thinking_blocks).toEqual(thinking.choices[0]!.message.thinking_blocks);
    expect(deltas.find((d) => d?.reasoning_signature)?.reasoning_signature).toBe("sig-1");
    expect(deltas.map((d) => d?.content ?? "").join("")).toBe("42");
  });

  it("streams through a Stream like a live body, and a caller's abort ends it with APIUserAbortError", async () => {
    const chunks = completionToChunks(completion, true);
    const live = new Stream<ChatCompletionChunk>(encodeSSE(chunks, new AbortController().signal), new Response(null), new AbortController());
    const seen: ChatCompletionChunk[] = [];
    for await (const c of live) seen.push(c);
    expect(seen).toEqual(chunks);

    const user = new AbortController();
    const aborted = new Stream<ChatCompletionChunk>(encodeSSE(chunks, user.signal), new Response(null), new AbortController(), user.signal);
    let count = 0;
    const failure = await (async () => {
      for await (const _c of aborted) if (++count === 2) user.abort();
    })().catch((e: unknown) => e);
    expect(count).toBe(2);
    expect(failure).toBeInstanceOf(APIUserAbortError);
  });
});
