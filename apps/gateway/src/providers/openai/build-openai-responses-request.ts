// A Responses API request forwarded to OpenAI's `/responses` (relative to the provider's base URL, as chat's
// `/chat/completions` is): the body as the endpoint prepared it, serialised once, with the provider's key.
// Nothing is added: a Responses stream always ends with its usage in `response.completed`.
import type { AdapterContext, ResponsesCall, UpstreamHttpRequest } from "../../core/provider-contract";

export function buildOpenAIResponsesRequest(call: ResponsesCall, ctx: AdapterContext): UpstreamHttpRequest {
  const headers: Record<string, string> = { "content-type": "application/json", ...ctx.headers };
  if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`;
  return { path: "/responses", headers, body: JSON.stringify(call.body) };
}
