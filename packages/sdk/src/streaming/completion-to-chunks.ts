import type { Schema } from "@runestone/contract";
import type { ChatCompletion, ChatCompletionChunk } from "../types";

type Choice = ChatCompletion["choices"][number];
type ChunkChoice = Schema<"ChatCompletionChunkChoice">;
type Delta = Schema<"ChatCompletionDelta">;

/**
 * A whole `chat.completion` (a queued job's result) as the `chat.completion.chunk` events the gateway would have
 * streamed for it: per choice a role chunk, reasoning, content in word-sized pieces, refusal, tool calls (a header
 * piece with `index`, `id`, `type` and `function.name`, then the arguments), and a chunk with the finish reason; the
 * first chunk carries Runestone's `provider`, `routing_policy` and `request_id`; a last usage chunk (empty
 * `choices`) only when the caller asked for `stream_options.include_usage`. Concatenating the deltas gives back
 * the completion's messages.
 */
export function completionToChunks(completion: ChatCompletion, includeUsage: boolean): ChatCompletionChunk[] {
  const base = {
    id: completion.id,
    object: "chat.completion.chunk" as const,
    created: completion.created,
    model: completion.model,
    ...(completion.system_fingerprint !== undefined && { system_fingerprint: completion.system_fingerprint }),
    ...(completion.service_tier !== undefined && { service_tier: completion.service_tier }),
  };
  const chunks: ChatCompletionChunk[] = [];
  const choices = [...completion.choices].sort((a, b) => a.index - b.index);
  for (const choice of choices) {
    for (const choiceChunk of choiceToChunkChoices(choice)) chunks.push({ ...base, choices: [choiceChunk] });
  }
  if (chunks.length === 0) chunks.push({ ...base, choices: [] });
  chunks[0] = {
    ...chunks[0]!,
    provider: completion.provider,
    routing_policy: completion.routing_policy,
    request_id: completion.request_id,
  };
  if (includeUsage && completion.usage) chunks.push({ ...base, choices: [], usage: completion.usage });
  return chunks;
}

function choiceToChunkChoices(choice: Choice): ChunkChoice[] {
  const message = choice.message;
  const deltas: Delta[] = [{ role: "assistant", content: typeof message.content === "string" ? "" : null }];
  if (typeof message.reasoning_content === "string") {
    for (const piece of pieces(message.reasoning_content)) deltas.push({ reasoning_content: piece });
  }
  const thinking = message.thinking_blocks;
  if (thinking && thinking.length > 0) {
    deltas.push({ thinking_blocks: thinking });
    const signature = thinking.filter((b) => b.type === "thinking" && b.signature).at(-1)?.signature;
    if (signature) deltas.push({ reasoning_signature: signature });
  }
  if (typeof message.content === "string") for (const piece of pieces(message.content)) deltas.push({ content: piece });
  if (typeof message.refusal === "string" && message.refusal) deltas.push({ refusal: message.refusal });
  (message.tool_calls ?? []).forEach((call, index) => {
    if (call.type === "custom") {
      // A custom tool's input is free text, not JSON arguments: it travels whole in the call's one piece.
      deltas.push({ tool_calls: [{ index, id: call.id, type: "custom", custom: call.custom }] });
      return;
    }
    deltas.push({ tool_calls: [{ index, id: call.id, type: call.type, function: { name: call.function.name, arguments: "" } }] });
    if (call.function.arguments) deltas.push({ tool_calls: [{ index, function: { arguments: call.function.arguments } }] });
  });
  if (message.function_call) deltas.push({ function_call: message.function_call });

  const out: ChunkChoice[] = deltas.map((delta) => ({ index: choice.index, delta, finish_reason: null }));
  const last: ChunkChoice = { index: choice.index, delta: {}, finish_reason: choice.finish_reason };
  // Token logprobs cannot be split along our word pieces; a consumer concatenating them per chunk still gets them all.
  if (choice.logprobs !== undefined) last.logprobs = choice.logprobs;
  out.push(last);
  return out;
}

/** Word-sized pieces (each word with the whitespace after it), as providers stream text; joined they are `text`. */
function pieces(text: string): string[] {
  return text.match(/\s+|\S+\s*/g) ?? [];
}
