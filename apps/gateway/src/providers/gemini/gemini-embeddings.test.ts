import { describe, expect, it } from "vitest";
import type { EmbeddingCall, EmbeddingRequest } from "../../core/provider-contract";
import { buildGeminiEmbeddingRequest } from "./build-gemini-embedding-request";
import { parseGeminiEmbeddingResponse } from "./parse-gemini-embedding-response";

const call = (body: Record<string, unknown>): EmbeddingCall => ({
  body: body as EmbeddingRequest & Record<string, unknown>,
  upstreamModel: "gemini-embedding-001",
  requestId: "req_test",
});

describe("Gemini embeddings", () => {
  it("builds one batchEmbedContents request per input text", () => {
    const req = buildGeminiEmbeddingRequest(call({ model: "e", input: "hello" }), { apiKey: "k", headers: {}, quirks: {} });
    expect(req.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(req.headers["x-goog-api-key"]).toBe("k");
    expect(JSON.parse(req.body)).toStrictEqual({ requests: [{ model: "models/gemini-embedding-001", content: { parts: [{ text: "hello" }] } }] });
  });

  it("maps values to OpenAI's list, as float32 base64 when asked", () => {
    const json = { embeddings: [{ values: [0.5, -1] }, { values: [1, 0] }] };
    const floats = parseGeminiEmbeddingResponse(json, call({ input: ["a", "b"] }));
    expect(floats).toStrictEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.5, -1] },
        { object: "embedding", index: 1, embedding: [1, 0] },
      ],
      model: "gemini-embedding-001",
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
    const b64 = parseGeminiEmbeddingResponse(json, call({ input: ["a", "b"], encoding_format: "base64" }));
    const bytes = Buffer.from(b64.data[0]!.embedding as unknown as string, "base64");
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toStrictEqual([0.5, -1]);
  });

  it("reports a response without embeddings as a protocol error", () => {
    expect(() => parseGeminiEmbeddingResponse({ error: {} }, call({ input: "a" }))).toThrow("without an embeddings array");
  });
});
