// GET /v1/models and /v1/models/{model} for Anthropic's SDK: with `anthropic-version` (and its key as x-api-key)
// the catalog comes in Anthropic's model shape, still a valid OpenAI model object; without it, OpenAI's shape
// exactly as before.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, TENANT_KEY, type Harness } from "./harness";
import { interopConfigYaml } from "./messages-test-config";

const NARROW_KEY = "sk-test-models-narrow-0123456789";

let h: Harness;
let client: Anthropic;
beforeAll(async () => {
  h = await startHarness({ configYaml: (u) => interopConfigYaml(u) + `  - id: narrow\n    keys: [${NARROW_KEY}]\n    allowed_models: [gpt-4o-mini, claude-sonnet-4-5]\n` });
  client = new Anthropic({ baseURL: h.url, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());

describe("GET /v1/models with anthropic-version", () => {
  it("lists the catalog as Anthropic's SDK reads it, authenticated by x-api-key", async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toContain("claude-sonnet-4-5");
    expect(ids).toContain("gpt-4o-mini");
    const claude = page.data.find((m) => m.id === "claude-sonnet-4-5")!;
    expect(claude).toMatchObject({ type: "model", id: "claude-sonnet-4-5", display_name: "claude-sonnet-4-5", max_tokens: 4096 });
    expect(new Date(claude.created_at).toISOString()).toBe("2025-01-01T00:00:00.000Z");
    // Anthropic's `capabilities` is an object of details; ours (a list) is left out rather than misread.
    expect((claude as unknown as Record<string, unknown>).capabilities).toBeUndefined();
    expect(page.has_more).toBe(false);
    expect(page.first_id).toBe(ids[0]);
    expect(page.last_id).toBe(ids.at(-1));
  });

  it("pages as the SDK asks (limit, after_id, before_id), and its auto-pagination reads every model once", async () => {
    const all = (await client.models.list()).data.map((m) => m.id);
    expect(all.length).toBeGreaterThan(3);
    const first = await client.models.list({ limit: 2 });
    expect(first.data.map((m) => m.id)).toEqual(all.slice(0, 2));
    expect(first.has_more).toBe(true);
    expect(first.last_id).toBe(all[1]);
    const next = await client.models.list({ limit: 2, after_id: all[1]! });
    expect(next.data.map((m) => m.id)).toEqual(all.slice(2, 4));
    const before = await client.models.list({ limit: 2, before_id: all[3]! });
    expect(before.data.map((m) => m.id)).toEqual(all.slice(1, 3));
    expect(before.has_more).toBe(true);
    const seen: string[] = [];
    for await (const m of client.models.list({ limit: 2 })) seen.push(m.id);
    expect(seen).toEqual(all);
  });

  it("retrieves one model, with the request-id header the SDK reads", async () => {
    const { data, response, request_id } = await client.models.retrieve("gpt-4o-mini").withResponse();
    expect(data).toMatchObject({ type: "model", id: "gpt-4o-mini", display_name: "gpt-4o-mini", created_at: expect.any(String) });
    expect(request_id).toBe(response.headers.get("x-request-id"));
  });

  it("keeps the tenant's allow-list, and answers an unknown model in the SDK's NotFoundError", async () => {
    const narrow = new Anthropic({ baseURL: h.url, apiKey: NARROW_KEY, maxRetries: 0 });
    expect((await narrow.models.list()).data.map((m) => m.id).sort()).toStrictEqual(["claude-sonnet-4-5", "gpt-4o-mini"]);
    await expect(narrow.models.retrieve("o4-mini")).rejects.toBeInstanceOf(Anthropic.PermissionDeniedError);
    await expect(client.models.retrieve("no-such-model")).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });
});

describe("GET /v1/models without anthropic-version", () => {
  it("answers OpenAI's shape as before, read by the OpenAI SDK", async () => {
    const openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
    const list = await openai.models.list();
    const gpt = list.data.find((m) => m.id === "gpt-4o-mini")!;
    expect(gpt).toMatchObject({ object: "model", created: expect.any(Number), owned_by: expect.any(String), capabilities: expect.arrayContaining(["chat"]) });
    expect((gpt as unknown as Record<string, unknown>).type).toBeUndefined();

    const res = await fetch(`${h.url}/v1/models`, { headers: { authorization: `Bearer ${TENANT_KEY}` } });
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toStrictEqual(["data", "object"]);
    expect(res.headers.get("request-id")).toBeNull();
  });

  it("does not take x-api-key without anthropic-version", async () => {
    const res = await fetch(`${h.url}/v1/models`, { headers: { "x-api-key": TENANT_KEY } });
    expect(res.status).toBe(401);
  });
});
