// OpenAI chat request -> the upstream request. The body is what the client sent, with only the
// model replaced, usage requested in streams, the model's defaults for requests with tools filled in
// where the client left them out, and the configured quirks applied.
import type { AdapterContext, ChatCall, UpstreamHttpRequest } from "../../core/provider-contract";

export function buildOpenAIRequest(call: ChatCall, ctx: AdapterContext): UpstreamHttpRequest {
  const body: Record<string, unknown> = { ...call.body, model: call.upstreamModel };
  if (call.defaultsWithTools && Array.isArray(body.tools) && body.tools.length > 0) {
    for (const [k, v] of Object.entries(call.defaultsWithTools)) if (body[k] === undefined) body[k] = v;
  }
  if (call.stream) {
    body.stream = true;
    if (!ctx.quirks.noStreamOptions) {
      const given = (call.body.stream_options ?? {}) as Record<string, unknown>;
      body.stream_options = { ...given, include_usage: true };
    } else {
      delete body.stream_options;
    }
  }
  if (ctx.quirks.developerAsSystem && Array.isArray(body.messages)) {
    body.messages = (body.messages as Array<Record<string, unknown>>).map((m) => (m.role === "developer" ? { ...m, role: "system" } : m));
  }
  const field = ctx.quirks.maxTokensField;
  if (field === "max_tokens" && body.max_completion_tokens !== undefined) {
    body.max_tokens ??= body.max_completion_tokens;
    delete body.max_completion_tokens;
  } else if (field === "max_completion_tokens" && body.max_tokens !== undefined) {
    body.max_completion_tokens ??= body.max_tokens;
    delete body.max_tokens;
  }
  const headers: Record<string, string> = { "content-type": "application/json", ...ctx.headers };
  if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`;
  return { path: "/chat/completions", headers, body: JSON.stringify(body) };
}
