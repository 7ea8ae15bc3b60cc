// A stored chat.completion replayed as the stream a streaming request expects: per choice, a first chunk
// with the assistant role, one chunk with the whole text (or refusal, reasoning) and the complete tool
// calls, one with the finish_reason (and the choice's logprobs); then a usage-only chunk when the answer had
// usage (the chat encoder passes it on only to a client that asked with stream_options.include_usage).
import type { ChatCompletion, ChatCompletionChunk } from "../core/provider-contract";

type Obj = Record<string, unknown>;

const OMITTED = new Set(["role", "tool_calls", "content", "refusal", "reasoning_content"]);

export function completionToChunks(c: ChatCompletion): ChatCompletionChunk[] {
  const { choices, usage, object: _o, provider: _p, routing_policy: _r, request_id: _q, ...head } = c as Obj & ChatCompletion;
  const chunk = (choice: Obj[], extra: Obj = {}) => ({ ...head, object: "chat.completion.chunk", choices: choice, ...extra }) as unknown as ChatCompletionChunk;
  const out: ChatCompletionChunk[] = [];
  for (const ch of choices as unknown as Obj[]) {
    const index = ch.index as number;
    const msg = (ch.message ?? {}) as Obj;
    // As OpenAI streams: an empty text to start a text answer, null for one of tool calls only.
    out.push(chunk([{ index, delta: { role: "assistant", content: typeof msg.content === "string" ? "" : null }, finish_reason: null, logprobs: null }]));
    const delta: Obj = {};
    for (const k of ["content", "refusal", "reasoning_content"]) if (typeof msg[k] === "string" && msg[k] !== "") delta[k] = msg[k];
    const calls = msg.tool_calls as Obj[] | undefined;
    if (calls?.length) delta.tool_calls = calls.map((call, i) => ({ index: i, ...call }));
    // Other fields of the message (a reasoning signature, thinking blocks, a provider's extra) ride whole.
    for (const [k, v] of Object.entries(msg)) if (!OMITTED.has(k) && v !== null && v !== undefined) delta[k] = v;
    if (Object.keys(delta).length) out.push(chunk([{ index, delta, finish_reason: null, logprobs: null }]));
    out.push(chunk([{ index, delta: {}, finish_reason: ch.finish_reason ?? "stop", logprobs: ch.logprobs ?? null }]));
  }
  if (usage) out.push(chunk([], { usage }));
  return out;
}
