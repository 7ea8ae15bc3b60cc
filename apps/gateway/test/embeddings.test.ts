// POST /v1/embeddings through OpenAI and OpenAI-compatible providers, with the official OpenAI SDK and raw
// requests; models or providers that cannot embed answer a clear 400 before any upstream call.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, startHarness, TENANT_KEY, UPSTREAM_KEY, type Harness } from "./harness";
import { COMPAT_KEY, interopConfigYaml } from "./messages-test-config";

let h: Harness;
let client: OpenAI;
beforeAll(async () => {
  h = await startHarness({ configYaml: interopConfigYaml });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const embed = (body: Record<string, unknown>) => postJson(`${h.url}/v1/embeddings`, body);
const upstream = () => h.upstream.requests.at(-1)!;
type ErrorBody = { error: { type: string; code: string | null; param: string | null; message: string } };

describe("embeddings", () => {
  it("embed a string through an OpenAI-compatible provider, with its key and headers", async () => {
    const { data, response } = await client.embeddings.create({ model: "nomic-embed", input: "the quick brown fox", encoding_format: "float" }).withResponse();
    expect(data.object).toBe("list");
    expect(data.data).toHaveLength(1);
    expect(data.data[0]!.embedding).toHaveLength(8);
    expect(data.usage.prompt_tokens).toBe(4);
    expect(response.headers.get("x-runestone-provider")).toBe("groq");
    expect(upstream().path).toBe("/v1/embeddings");
    expect(upstream().headers).toMatchObject({ authorization: `Bearer ${COMPAT_KEY}`, "x-team": "search" });
    expect(upstream().body).toStrictEqual({ model: "nomic-embed-text-v1.5", input: "the quick brown fox", encoding_format: "float" });
  });

  it("embed an array of strings in order, with dimensions and base64 as asked", async () => {
    const res = await embed({ model: "text-embedding-3-small", input: ["first", "second", "third"], dimensions: 4, encoding_format: "base64", user: "u-1" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Array<{ index: number; embedding: string }>; model: string };
    expect(body.data.map((d) => d.index)).toStrictEqual([0, 1, 2]);
    for (const d of body.data) expect(Buffer.from(d.embedding, "base64").length).toBe(4 * 4);
    expect(upstream().body).toStrictEqual({ model: "text-embedding-3-small", input: ["first", "second", "third"], dimensions: 4, encoding_format: "base64", user: "u-1" });
    expect(upstream().headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  });

  it("decode base64 vectors with the official SDK (its default) to the same numbers as floats", async () => {
    const viaSdk = await client.embeddings.create({ model: "text-embedding-3-small", input: "same text" });
    expect(upstream().body).toMatchObject({ encoding_format: "base64" });
    const asFloats = (await (await embed({ model: "text-embedding-3-small", input: "same text", encoding_format: "float" })).json()) as { data: Array<{ embedding: number[] }> };
    expect(viaSdk.data[0]!.embedding).toStrictEqual(asFloats.data[0]!.embedding);
  });

  it("refuse a chat model with a clear 400", async () => {
    const res = await embed({ model: "gpt-4o-mini", input: "x" });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as ErrorBody;
    expect(error).toMatchObject({ type: "invalid_request_error", code: "model_not_supported", param: "model" });
    expect(error.message).toContain("does not support embeddings");
    expect(h.upstream.requests).toHaveLength(0);
  });

  it.each([
    ["claude-embed", "anthropic"],
    ["mock-embed", "mock"],
  ])("refuse %s, served by a provider that cannot embed (%s), with a clear 400", async (model, kind) => {
    const res = await embed({ model, input: "x" });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as ErrorBody;
    expect(error).toMatchObject({ type: "invalid_request_error", code: "model_not_supported", param: "model" });
    expect(error.message).toContain(`(${kind})`);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("answer an unknown model with 404 and a missing input with a 400 naming it", async () => {
    expect((await embed({ model: "nope", input: "x" })).status).toBe(404);
    const res = await embed({ model: "text-embedding-3-small" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toContain("input");
  });

  it("map an upstream failure to the gateway's error envelope", async () => {
    h.upstream.behave({ status: 429, retryAfter: 7 }, { times: 1 });
    const res = await embed({ model: "nomic-embed", input: "x" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(((await res.json()) as ErrorBody).error.type).toBe("rate_limit_error");
  });
});
