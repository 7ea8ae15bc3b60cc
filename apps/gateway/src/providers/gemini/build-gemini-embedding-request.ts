import type { AdapterContext, EmbeddingCall, UpstreamHttpRequest } from "../../core/provider-contract";
import { RequestTranslationError } from "../../core/request-translation-error";

/**
 * Embeddings -> `POST /v1beta/models/{model}:batchEmbedContents`: one request per input text, in order, with
 * `dimensions` as `outputDimensionality`. Gemini embeds text only, so token-id inputs are refused.
 */
export function buildGeminiEmbeddingRequest(call: EmbeddingCall, ctx: AdapterContext): UpstreamHttpRequest {
  const input: unknown = call.body.input;
  const texts = typeof input === "string" ? [input] : Array.isArray(input) && input.every((x) => typeof x === "string") ? (input as string[]) : undefined;
  if (!texts) throw new RequestTranslationError("Gemini embedding models take text input only (a string or an array of strings)", "input");
  const dimensions = (call.body as { dimensions?: unknown }).dimensions;
  const model = `models/${call.upstreamModel}`;
  const requests = texts.map((text) => ({
    model,
    content: { parts: [{ text }] },
    ...(typeof dimensions === "number" ? { outputDimensionality: dimensions } : {}),
  }));
  return {
    path: `/v1beta/models/${encodeURIComponent(call.upstreamModel)}:batchEmbedContents`,
    headers: { "content-type": "application/json", "x-goog-api-key": ctx.apiKey, ...ctx.headers },
    body: JSON.stringify({ requests }),
  };
}
