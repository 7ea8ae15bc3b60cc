import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "./index.js";
import { post, send } from "./testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

const embed = async (body: Record<string, unknown>) =>
  (await post(`${mock.url}/v1/embeddings`, { model: "text-embedding-3-small", ...body })).json();

describe("POST /v1/embeddings", () => {
  it("answers a deterministic unit vector of 8 dimensions per input", async () => {
    const a = await embed({ input: "hello world" });
    const b = await embed({ input: "hello world" });
    expect(a).toEqual({
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: expect.any(Array) }],
      model: "text-embedding-3-small",
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
    const v: number[] = a.data[0].embedding;
    expect(v).toHaveLength(8);
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    expect(b.data[0].embedding).toEqual(v);
  });

  it("embeds each item of an array input at its index and honours dimensions", async () => {
    const body = await embed({ input: ["a", "b c"], dimensions: 16 });
    expect(body.data.map((d: { index: number }) => d.index)).toEqual([0, 1]);
    expect(body.data[1].embedding).toHaveLength(16);
    expect(body.data[0].embedding).not.toEqual(body.data[1].embedding);
    expect(body.usage.prompt_tokens).toBe(3);
  });

  it("returns float32 little-endian base64 that decodes to the same vector", async () => {
    const floats = await embed({ input: "same" });
    const encoded = await embed({ input: "same", encoding_format: "base64" });
    const buf = Buffer.from(encoded.data[0].embedding, "base64");
    const decoded = Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4));
    expect(decoded).toEqual(floats.data[0].embedding);
  });

  it("refuses a missing input with a 400", async () => {
    const res = await post(`${mock.url}/v1/embeddings`, { model: "text-embedding-3-small" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.param).toBe("input");
  });
});

describe("GET /v1/models", () => {
  it("lists a few models in OpenAI's list shape", async () => {
    const body = await (await send(`${mock.url}/v1/models`)).json();
    expect(body.object).toBe("list");
    expect(body.data.length).toBeGreaterThan(2);
    expect(body.data[0]).toEqual({ id: "gpt-4o-mini", object: "model", created: expect.any(Number), owned_by: "system" });
  });
});
