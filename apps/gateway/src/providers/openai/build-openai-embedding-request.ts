// Embeddings request -> the upstream request: the client's body with only the model replaced.
import type { AdapterContext, EmbeddingCall, UpstreamHttpRequest } from "../../core/provider-contract";

export function buildOpenAIEmbeddingRequest(call: EmbeddingCall, ctx: AdapterContext): UpstreamHttpRequest {
  const headers: Record<string, string> = { "content-type": "application/json", ...ctx.headers };
  if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`;
  return { path: "/embeddings", headers, body: JSON.stringify({ ...call.body, model: call.upstreamModel }) };
}
