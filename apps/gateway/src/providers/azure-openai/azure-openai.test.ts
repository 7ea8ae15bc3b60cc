import { describe, expect, it } from "vitest";
import type { AdapterContext, ChatCall, EmbeddingCall } from "../../core/provider-contract";
import { createAzureOpenAIAdapter } from "./index";

const ctx: AdapterContext = { apiKey: "az-key", headers: { "x-ms-client-request-id": "r1", Authorization: "Bearer from-config" }, quirks: {} };
const chatCall = (over: Partial<ChatCall> = {}): ChatCall => ({
  body: { model: "public-id", messages: [{ role: "user", content: "hi" }] } as ChatCall["body"],
  upstreamModel: "prod gpt/4o",
  publicModel: "public-id",
  stream: false,
  clientWantsUsage: false,
  requestId: "req-1",
  ...over,
});

describe("azure-openai adapter", () => {
  it("addresses the deployment with api-version, keeps config headers, and sends api-key instead of Authorization", () => {
    const req = createAzureOpenAIAdapter("2024-10-21").buildChatRequest(chatCall(), ctx);
    expect(req.path).toBe("/openai/deployments/prod%20gpt%2F4o/chat/completions?api-version=2024-10-21");
    expect(req.headers).toStrictEqual({ "content-type": "application/json", "x-ms-client-request-id": "r1", "api-key": "az-key" });
    expect(JSON.parse(req.body)).toStrictEqual({ model: "prod gpt/4o", messages: [{ role: "user", content: "hi" }] });
  });

  it("streams with usage requested, as the OpenAI adapter does", () => {
    const req = createAzureOpenAIAdapter().buildChatRequest(chatCall({ stream: true }), ctx);
    expect(req.path).toBe("/openai/deployments/prod%20gpt%2F4o/chat/completions?api-version=2024-10-21");
    expect(JSON.parse(req.body)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("sends embeddings to the deployment's embeddings path with an escaped preview version", () => {
    const call: EmbeddingCall = { body: { model: "x", input: "hi" } as EmbeddingCall["body"], upstreamModel: "emb", requestId: "r" };
    const req = createAzureOpenAIAdapter("2025-04-01-preview").buildEmbeddingRequest!(call, { ...ctx, headers: {} });
    expect(req.path).toBe("/openai/deployments/emb/embeddings?api-version=2025-04-01-preview");
    expect(req.headers).toStrictEqual({ "content-type": "application/json", "api-key": "az-key" });
  });

  it("maps Azure's OpenAI-shaped 429 with Retry-After to a retryable rate limit, and a 400 to a non-retryable one", () => {
    const adapter = createAzureOpenAIAdapter();
    const throttled = adapter.parseError(429, { "retry-after": "3" }, JSON.stringify({ error: { code: "429", message: "Requests to the ChatCompletions_Create Operation have exceeded call rate limit." } }));
    expect(throttled).toMatchObject({ status: 429, retryable: true, retryAfterMs: 3000 });
    const invalid = adapter.parseError(400, {}, JSON.stringify({ error: { code: "content_filter", message: "filtered" } }));
    expect(invalid).toMatchObject({ status: 400, retryable: false });
  });
});
