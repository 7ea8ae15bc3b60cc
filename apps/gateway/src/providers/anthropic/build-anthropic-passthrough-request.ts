import type { AdapterContext, PassthroughCall, UpstreamHttpRequest } from "../../core/provider-contract";
import { ANTHROPIC_VERSION } from "./build-anthropic-request";

/**
 * A Messages API request forwarded as the client sent it. The client's `anthropic-version` wins over ours (it
 * chose the wire format it reads back); `anthropic-beta` flags from the config and from the client are both
 * sent. The key is always the provider's, never the client's.
 */
export function buildAnthropicPassthroughRequest(call: PassthroughCall, ctx: AdapterContext): UpstreamHttpRequest {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "anthropic-version": call.headers["anthropic-version"] ?? ANTHROPIC_VERSION,
    ...ctx.headers,
    "x-api-key": ctx.apiKey,
  };
  const betas = [ctx.headers["anthropic-beta"], call.headers["anthropic-beta"]]
    .flatMap((b) => (b ? b.split(",") : []))
    .map((b) => b.trim())
    .filter(Boolean);
  if (betas.length > 0) headers["anthropic-beta"] = [...new Set(betas)].join(",");
  return { path: call.path ?? "/v1/messages", headers, body: JSON.stringify(call.body) };
}
