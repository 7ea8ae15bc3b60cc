import { describe, expect, it } from "vitest";
import type { EmbeddingCall, EmbeddingRequest } from "../core/provider-contract";
import { mergeEmbeddingResponses, splitEmbeddingCall } from "./embedding-batches";

const call = (body: Record<string, unknown>): EmbeddingCall => ({
  body: body as EmbeddingRequest & Record<string, unknown>,
  upstreamModel: "gemini-embedding-001",
  requestId: "req_test",
});

describe("embeddings in batches", () => {
  it("splits more than 100 texts into calls of at most 100, and leaves anything else as one call", () => {
    const texts = Array.from({ length: 201 }, (_, i) => `t${i}`);
    const parts = splitEmbeddingCall(call({ model: "e", input: texts, dimensions: 4 }), 100);
    expect(parts.map((p) => p.body.input)).toStrictEqual([texts.slice(0, 100), texts.slice(100, 200), texts.slice(200)]);
    expect(parts.every((p) => p.body.dimensions === 4 && p.upstreamModel === "gemini-embedding-001")).toBe(true);
    for (const input of ["one", texts.slice(0, 100), Array.from({ length: 150 }, () => [1, 2])]) {
      const one = call({ input });
      expect(splitEmbeddingCall(one, 100)).toStrictEqual([one]);
    }
  });

  it("merges the batches' answers in input order with usage summed", () => {
    const part = (values: number[][], tokens: number) => ({
      object: "list" as const,
      data: values.map((embedding, index) => ({ object: "embedding" as const, index, embedding })),
      model: "gemini-embedding-001",
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
    expect(mergeEmbeddingResponses([part([[1], [2]], 3), part([[3]], 4)])).toStrictEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [1] },
        { object: "embedding", index: 1, embedding: [2] },
        { object: "embedding", index: 2, embedding: [3] },
      ],
      model: "gemini-embedding-001",
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
  });
});
