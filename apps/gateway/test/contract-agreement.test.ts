// Where the contract and the gateway once disagreed (issue 13, part 3), each asserted through a real gateway:
// the spec's own `group_by=day,model` example with a literal comma, 403 model_not_allowed for a model outside
// allowed_models, no_route for a provider that does not serve the model, Retry-After on 503s, and the named
// CreateStreamingChatRequest schema of /v1/chat/stream.
import { openapiDocument } from "@runestone/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf, startHarness, testConfigYaml, TENANT_KEY, type Harness } from "./harness";

const NARROW_KEY = "sk-test-narrow-tenant-0123456789";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    configYaml: (u) =>
      testConfigYaml(u, `  - id: narrow\n    keys: [${NARROW_KEY}]\n    allowed_models: [mock-echo]\nresilience:\n  retries: { max_retries: 0 }\n`),
  });
});
afterAll(() => h.close());

const get = (path: string, key = TENANT_KEY) => fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
const chat = (body: Record<string, unknown>, key = TENANT_KEY) =>
  fetch(`${h.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
  });

describe("GET /v1/usage group_by", () => {
  it("takes the spec's example with the comma sent literally, as curl and axios send it", async () => {
    const spec = (openapiDocument as any).paths["/v1/usage"].get.parameters.find((p: { name: string }) => p.name === "group_by");
    expect(spec.schema.example).toBe("day,model");
    const literal = await get("/v1/usage?group_by=day,model");
    expect(literal.status).toBe(200);
    const encoded = await get("/v1/usage?group_by=day%2Cmodel");
    expect(((await literal.json()) as { group_by: string[] }).group_by).toEqual(["day", "model"]);
    expect(((await encoded.json()) as { group_by: string[] }).group_by).toEqual(["day", "model"]);
  });

  it("still refuses a field it does not know", async () => {
    const res = await get("/v1/usage?group_by=day,colour");
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/group_by/);
  });
});

describe("allowed_models", () => {
  it("answers 403 model_not_allowed, naming the model, for a model that exists but is not allowed", async () => {
    for (const res of [await chat({ model: "gpt-4o-mini" }, NARROW_KEY), await get("/v1/models/gpt-4o-mini", NARROW_KEY)]) {
      expect(res.status).toBe(403);
      const err = await errorOf(res);
      expect(err).toMatchObject({ type: "permission_error", code: "model_not_allowed" });
      expect(err.message).toContain("gpt-4o-mini");
    }
    expect(h.upstream.requests.filter((r) => (r.body as { model?: string })?.model === "gpt-4o-mini")).toEqual([]);
  });

  it("keeps 404 model_not_found for a model that does not exist, and serves an allowed one", async () => {
    const missing = await chat({ model: "gpt-9" }, NARROW_KEY);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe("model_not_found");
    expect((await chat({ model: "mock-echo" }, NARROW_KEY)).status).toBe(200);
  });
});

describe("provider conflicting with model", () => {
  it("answers 400 no_route with param provider, as the spec says", async () => {
    const res = await chat({ model: "gpt-4o-mini", provider: "backup" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; param: string; message: string } };
    expect(body.error).toMatchObject({ code: "no_route", param: "provider" });
    expect(body.error.message).toContain("backup");
  });
});

describe("Retry-After on 503", () => {
  it("sends the gateway's own Retry-After when an overloaded upstream gave none", async () => {
    h.upstream.behave({ status: 503 }, { times: 1, model: "gpt-4o-mini" });
    const overloaded = await chat({ model: "gpt-4o-mini" });
    expect(overloaded.status).toBe(503);
    expect(overloaded.headers.get("retry-after")).toBe("1");
  });

  it("passes on the upstream's own Retry-After", async () => {
    h.upstream.behave({ status: 503, retryAfter: 7 }, { times: 1, model: "gpt-4o-mini" });
    const res = await chat({ model: "gpt-4o-mini" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("7");
  });
});

describe("POST /v1/chat/stream", () => {
  it("names its request CreateStreamingChatRequest, which extends the chat request", () => {
    const doc = openapiDocument as any;
    const body = doc.paths["/v1/chat/stream"].post.requestBody.content["application/json"].schema;
    expect(body.$ref).toBe("#/components/schemas/CreateStreamingChatRequest");
    expect(doc.components.schemas.CreateStreamingChatRequest.allOf).toContainEqual({ $ref: "#/components/schemas/CreateChatCompletionRequest" });
  });
});
