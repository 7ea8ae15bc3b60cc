import type { EmbeddingCall, EmbeddingResponse } from "../../core/provider-contract";

/** The most requests Google takes in one `batchEmbedContents` call: it answers 400 for more. */
export const GEMINI_MAX_EMBED_BATCH = 100;

/**
 * A call's text inputs in runs of at most GEMINI_MAX_EMBED_BATCH, each a call of its own. Anything else (one string,
 * up to 100 texts, token ids the adapter refuses) stays one call, so it fails or succeeds as it did.
 */
export function splitGeminiEmbeddingCall(call: EmbeddingCall, size = GEMINI_MAX_EMBED_BATCH): EmbeddingCall[] {
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
 * Embeds a call of any size with `embedOne`, which sends one batchEmbedContents request: the batches go one after
 * another, each under the caller's signal (client gone, request deadline) and its own provider timeout; the first
 * failure stops the rest and is the call's failure (a retry or fallback then starts the call over).
 */
export async function embedInBatches(
  call: EmbeddingCall,
  signal: AbortSignal,
  embedOne: (call: EmbeddingCall, signal: AbortSignal) => Promise<EmbeddingResponse>,
): Promise<EmbeddingResponse> {
  const calls = splitGeminiEmbeddingCall(call);
  if (calls.length === 1) return embedOne(call, signal);
  const parts: EmbeddingResponse[] = [];
  for (const batch of calls) parts.push(await embedOne(batch, signal));
  return mergeEmbeddingResponses(parts);
}
