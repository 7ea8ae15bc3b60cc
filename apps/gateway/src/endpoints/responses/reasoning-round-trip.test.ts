// Regression tests: Anthropic thinking with a tool call could not be continued through the Responses API (the
// reasoning item had no signature and reasoning input was dropped); a function call cut by the output cap was
// reported completed; a translated stream without upstream usage was accounted as exact.
import { describe, expect, it } from "vitest";
import type { ChatCompletion, ChatCompletionChunk, SseEvent } from "../../core/provider-contract";
import { convertToChatRequest } from "./convert-to-chat-request";
import { convertToResponse } from "./convert-to-response";
import { createResponseStreamTransformer } from "./create-response-stream-transformer";
import { decodeThinkingBlocks, encodeThinkingBlocks } from "./reasoning-encrypted-content";
import { counterIds, shellFor } from "./__fixtures__/fixtures";
import type { ResponseOutputItem, ResponsesBody } from "./responses-types";

const body = (b: Record<string, unknown>) => ({ model: "claude-sonnet-4-5", ...b }) as ResponsesBody;
const signed = { type: "thinking" as const, thinking: "Weather: call the tool.", signature: "EqQBsig==" };
const redacted = { type: "redacted_thinking" as const, data: "ENCRYPTED" };

function completion(message: Record<string, unknown>, finish: string): ChatCompletion {
  return { id: "c", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: null, refusal: null, ...message }, finish_reason: finish, logprobs: null }] } as unknown as ChatCompletion;
}

function chunk(delta: Record<string, unknown>, finish: string | null = null, usage?: Record<string, number>): ChatCompletionChunk {
  return { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) } as unknown as ChatCompletionChunk;
}

function stream(chunks: ChatCompletionChunk[]): SseEvent[] {
  const ids = counterIds();
  const t = createResponseStreamTransformer({ shell: shellFor(body({ input: "x" }), ids), newId: ids, inputTokensEstimate: 5 });
  const out: SseEvent[] = [];
  const sink = { enqueue: (e: SseEvent) => void out.push(e) };
  for (const c of chunks) t.transform(c, sink);
  t.flush(sink);
  return out;
}

const data = (e: SseEvent | undefined) => JSON.parse(e!.data) as Record<string, any>;

describe("thinking through the Responses API", () => {
  it("puts a JSON answer's thinking blocks, signatures included, in the reasoning item's encrypted_content", () => {
    const ids = counterIds();
    const r = convertToResponse(completion({ reasoning_content: signed.thinking, thinking_blocks: [signed, redacted], tool_calls: [{ id: "toolu_1", type: "function", function: { name: "get_weather", arguments: "{}" } }] }, "tool_calls"), shellFor(body({ input: "x" }), ids), ids);
    const reasoning = r.output[0] as ResponseOutputItem & { encrypted_content?: string };
    expect(reasoning.type).toBe("reasoning");
    expect(decodeThinkingBlocks(reasoning.encrypted_content)).toStrictEqual([signed, redacted]);
  });

  it("collects a stream's thinking and signature deltas into the reasoning item's encrypted_content", () => {
    const events = stream([
      chunk({ role: "assistant", content: "" }),
      chunk({ reasoning_content: "Weather: " }),
      chunk({ reasoning_content: "call the tool." }),
      chunk({ reasoning_signature: "EqQBsig==" }),
      chunk({ thinking_blocks: [redacted] }),
      chunk({ tool_calls: [{ index: 0, id: "toolu_1", type: "function", function: { name: "get_weather", arguments: "{}" } }] }),
      chunk({}, "tool_calls", { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 }),
    ]);
    const done = events.filter((e) => e.event === "response.output_item.done").map((e) => data(e).item);
    expect(decodeThinkingBlocks(done[0].encrypted_content)).toStrictEqual([signed, redacted]);
    const final = data(events.at(-1)).response;
    expect(final.output[0].encrypted_content).toBe(done[0].encrypted_content);
  });

  it("sends the reasoning item back as the next assistant turn's thinking_blocks, before its tool call", () => {
    const chat = convertToChatRequest(
      body({
        input: [
          { role: "user", content: "Paris weather?" },
          { type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: signed.thinking }], encrypted_content: encodeThinkingBlocks([signed]) },
          { type: "function_call", call_id: "toolu_1", name: "get_weather", arguments: "{}" },
          { type: "function_call_output", call_id: "toolu_1", output: "sunny" },
        ],
      }),
    );
    expect(chat.messages[1]).toStrictEqual({ role: "assistant", content: null, tool_calls: [{ id: "toolu_1", type: "function", function: { name: "get_weather", arguments: "{}" } }], thinking_blocks: [signed] });
  });

  it("drops reasoning it cannot send back (OpenAI's encrypted_content, none at all)", () => {
    const chat = convertToChatRequest(
      body({
        input: [
          { type: "reasoning", id: "rs_openai", summary: [], encrypted_content: "gAAAAB-openai-blob" },
          { type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: "unsigned" }] },
          { role: "assistant", content: [{ type: "output_text", text: "hi" }] },
        ],
      }),
    );
    expect(chat.messages).toStrictEqual([{ role: "assistant", content: "hi" }]);
  });
});

describe("a function call cut by the output cap", () => {
  it("is incomplete in a JSON answer", () => {
    const ids = counterIds();
    const r = convertToResponse(completion({ tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Par' } }] }, "length"), shellFor(body({ input: "x" }), ids), ids);
    expect(r.status).toBe("incomplete");
    expect(r.output).toMatchObject([{ type: "function_call", status: "incomplete", arguments: '{"city":"Par' }]);
  });

  it("is incomplete in a stream, its arguments.done naming the function", () => {
    const events = stream([
      chunk({ role: "assistant", tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Par' } }] }),
      chunk({}, "length", { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 }),
    ]);
    expect(data(events.find((e) => e.event === "response.function_call_arguments.done"))).toMatchObject({ name: "get_weather", arguments: '{"city":"Par' });
    expect(data(events.find((e) => e.event === "response.output_item.done")).item.status).toBe("incomplete");
    const last = events.at(-1)!;
    expect(last.event).toBe("response.incomplete");
    expect(data(last).response.output[0].status).toBe("incomplete");
  });
});

describe("a translated stream's terminal event", () => {
  it("is flagged usageEstimated when the upstream sent no usage, and not when it did", () => {
    expect(stream([chunk({ content: "hi" }), chunk({}, "stop")]).at(-1)!.usageEstimated).toBe(true);
    expect(stream([chunk({ content: "hi" }), chunk({}, "stop", { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 })]).at(-1)!.usageEstimated).toBeUndefined();
  });
});
