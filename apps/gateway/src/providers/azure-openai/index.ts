// Azure OpenAI: OpenAI's wire format (body, answer, stream, errors), but addressed by deployment and API
// version (`/openai/deployments/{deployment}/...?api-version=...`) and authenticated with an `api-key` header.
// The deployment is the deployment's `model` in config; Azure ignores `model` in the body, which is kept as is.
// The Responses API is Azure's v1 API (`/openai/v1/responses`, no api-version), addressed by the body's `model`,
// which the passthrough sets to the deployment.
import type { AdapterContext, ProviderAdapter, UpstreamHttpRequest } from "../../core/provider-contract";
import { createOpenAIAdapter } from "../openai";
import { buildOpenAIResponsesRequest } from "../openai/build-openai-responses-request";

/** Azure's current GA data-plane version, used when a provider sets no `api_version`. */
export const DEFAULT_AZURE_API_VERSION = "2024-10-21";

/**
 * The first API version that takes `stream_options`: older ones answer a stream that sends it with 400
 * "Unrecognized request argument supplied: stream_options" (reported for 2024-05-01-preview and 2024-06-01), so
 * for them it is left out, as the `no_stream_options` quirk does, and the stream's usage is estimated.
 */
export const AZURE_STREAM_OPTIONS_SINCE = "2024-09-01";

export function createAzureOpenAIAdapter(apiVersion: string = DEFAULT_AZURE_API_VERSION): ProviderAdapter {
  // Kind "openai-compatible": it speaks OpenAI's format and lists its models as owned by the provider id.
  const openai = createOpenAIAdapter("openai-compatible");
  const query = `api-version=${encodeURIComponent(apiVersion)}`;
  const noStreamOptions = apiVersion.slice(0, 10) < AZURE_STREAM_OPTIONS_SINCE;
  const chatCtx = (ctx: AdapterContext): AdapterContext => (noStreamOptions && !ctx.quirks.noStreamOptions ? { ...ctx, quirks: { ...ctx.quirks, noStreamOptions: true } } : ctx);
  const azureHeaders = (req: UpstreamHttpRequest, ctx: AdapterContext): Record<string, string> => {
    const headers: Record<string, string> = {};
    // Azure's key goes in `api-key`; an Authorization header would be read as an Entra ID token and refused.
    for (const [name, value] of Object.entries(req.headers)) if (name.toLowerCase() !== "authorization") headers[name] = value;
    if (ctx.apiKey) headers["api-key"] = ctx.apiKey;
    return headers;
  };
  const toAzure = (req: UpstreamHttpRequest, deployment: string, operation: string, ctx: AdapterContext): UpstreamHttpRequest => ({
    ...req,
    headers: azureHeaders(req, ctx),
    path: `/openai/deployments/${encodeURIComponent(deployment)}/${operation}?${query}`,
  });
  return {
    ...openai,
    buildChatRequest: (call, ctx) => toAzure(openai.buildChatRequest(call, chatCtx(ctx)), call.upstreamModel, "chat/completions", ctx),
    buildEmbeddingRequest: (call, ctx) => toAzure(openai.buildEmbeddingRequest!(call, ctx), call.upstreamModel, "embeddings", ctx),
    buildResponsesRequest: (call, ctx) => {
      const req = buildOpenAIResponsesRequest(call, ctx);
      return { ...req, headers: azureHeaders(req, ctx), path: "/openai/v1/responses" };
    },
  };
}
