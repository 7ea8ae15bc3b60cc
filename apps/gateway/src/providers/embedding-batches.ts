// Embeddings calls larger than a provider takes in one request (ProviderAdapter.maxEmbeddingInputs; Gemini's
// batchEmbedContents takes 100, where the contract allows 2048 inputs), sent by HttpProvider as several requests
// and answered as one list in input order.
import type { EmbeddingCall, EmbeddingResponse } from "../core/provider-contract";

/**
 * A call's text inputs in runs of at most `size`, each a call of its own. Anything else (one string, up to `size`
 * texts, token ids) stays one call, so it fails or succeeds as it did.
 */
export function splitEmbeddingCall(call: EmbeddingCall, size: number): EmbeddingCall[] {
  const input: unknown = call.body.input;
  if (!Array.isArray(input) || input.length <= size || !input.every((x) => typeof x === "string")) return [call];
  const calls: EmbeddingCall[] = [];
  for (let at = 0; at < input.length; at += size) calls.push({ ...call, body: { ...call.body, input: input.slice(at, at + size) } });
  return calls;
}

/** The batches' answers as one, in input order: each batch's indexes shifted by the inputs before it, usage summed. */
export function mergeEmbeddingResponses(parts: EmbeddingResponse[]): EmbeddingResponse {
  if (parts.length === 1) return parts[0]!;
  let offset = 0;
  let prompt = 0;
  let total = 0;
  const data: EmbeddingResponse["data"] = [];
  for (const part of parts) {
    for (const e of part.data) data.push({ ...e, index: offset + e.index });
    offset += part.data.length;
    prompt += part.usage.prompt_tokens;
    total += part.usage.total_tokens;
  }
  return { ...parts[0]!, data, usage: { ...parts[0]!.usage, prompt_tokens: prompt, total_tokens: total } };
}

/**
 * Embeds a call of any size with `embedOne`, which sends one request of at most `size` inputs: the batches go one
 * after another, each under the caller's signal (client gone, request deadline) and its own provider timeout; the
 * first failure stops the rest and is the call's failure (a retry or fallback then starts the call over).
 */
export async function embedInBatches(
  call: EmbeddingCall,
  signal: AbortSignal,
  size: number,
  embedOne: (call: EmbeddingCall, signal: AbortSignal) => Promise<EmbeddingResponse>,
): Promise<EmbeddingResponse> {
  const calls = splitEmbeddingCall(call, size);
  if (calls.length === 1) return embedOne(call, signal);
  const parts: EmbeddingResponse[] = [];
  for (const batch of calls) parts.push(await embedOne(batch, signal));
  return mergeEmbeddingResponses(parts);
}
