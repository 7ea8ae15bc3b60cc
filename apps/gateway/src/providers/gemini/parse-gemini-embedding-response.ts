import type { EmbeddingCall, EmbeddingResponse } from "../../core/provider-contract";
import { UpstreamError } from "../../core/upstream-error";
import { tokenCount } from "../sanitize-usage";

/**
 * `{embeddings: [{values: number[]}]}` -> OpenAI's embeddings list. With `encoding_format: "base64"` (the
 * openai SDKs' default) the vector is sent as little-endian float32 bytes in base64, as OpenAI does.
 * batchEmbedContents reports no token usage: it counts as 0 unless a `usageMetadata.promptTokenCount` is there.
 */
export function parseGeminiEmbeddingResponse(json: unknown, call: EmbeddingCall): EmbeddingResponse {
  const list = json as { embeddings?: Array<{ values?: unknown }>; usageMetadata?: { promptTokenCount?: unknown } } | null;
  if (!list || typeof list !== "object" || !Array.isArray(list.embeddings)) {
    throw new UpstreamError({ kind: "protocol", message: "batchEmbedContents response without an embeddings array" });
  }
  const base64 = (call.body as { encoding_format?: unknown }).encoding_format === "base64";
  const data = list.embeddings.map((e, index) => {
    const v = e?.values;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "number")) {
      throw new UpstreamError({ kind: "protocol", message: `embedding ${index} has no numeric values` });
    }
    return { object: "embedding" as const, index, embedding: base64 ? toBase64(v as number[]) : (v as number[]) };
  });
  const prompt = tokenCount(list.usageMetadata?.promptTokenCount) ?? 0;
  return { object: "list", data, model: call.upstreamModel, usage: { prompt_tokens: prompt, total_tokens: prompt } };
}

function toBase64(vector: number[]): string {
  const buf = Buffer.allocUnsafe(vector.length * 4);
  vector.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString("base64");
}
