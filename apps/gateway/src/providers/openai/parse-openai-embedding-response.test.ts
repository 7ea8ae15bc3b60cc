import { describe, expect, it } from "vitest";
import { UpstreamError } from "../../core/upstream-error";
import { parseOpenAIEmbeddingResponse } from "./parse-openai-embedding-response";

const call = { body: { model: "e", input: "x" }, upstreamModel: "e-v1", requestId: "r" };

describe("parseOpenAIEmbeddingResponse", () => {
  it("fills what lenient servers leave out: object, index, model and usage", () => {
    const parsed = parseOpenAIEmbeddingResponse({ data: [{ embedding: [0.1, 0.2] }, { embedding: "AAAA" }] }, call);
    expect(parsed).toStrictEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.1, 0.2] },
        { object: "embedding", index: 1, embedding: "AAAA" },
      ],
      model: "e-v1",
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });

  it("refuses a body without vectors as a protocol error", () => {
    expect(() => parseOpenAIEmbeddingResponse({ data: [{ embedding: {} }] }, call)).toThrow(UpstreamError);
    expect(() => parseOpenAIEmbeddingResponse({ object: "list" }, call)).toThrow(UpstreamError);
  });
});
