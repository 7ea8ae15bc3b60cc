// Issue 15 on a custom config: an OpenAI-compatible provider reached as `<id>/<model>`, a catalog id that
// contains a slash (it wins over the provider form), `provider` with a bare name, discovery of the
// upstream's own model list, and the 404 that names the provider type to configure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startHarness, testConfigYaml, TENANT_KEY, UPSTREAM_KEY, type Harness } from "./harness";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    configYaml: (url) =>
      testConfigYaml(url)
        .replace(`api_key: ${UPSTREAM_KEY}\n`, `api_key: ${UPSTREAM_KEY}\n    discover: true\n`)
        .replace("models:\n", "models:\n  backup/special:\n    deployments: [{ provider: openai, model: special-upstream }]\n"),
  });
});
afterAll(() => h?.close());

const chat = (body: Record<string, unknown>) => postJson(`${h.url}/v1/chat/completions`, { messages: [{ role: "user", content: "hi" }], ...body });
const get = (path: string) => fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${TENANT_KEY}` } });
const lastChat = () => h.upstream.requests.filter((r) => r.path === "/v1/chat/completions").at(-1)!;

describe("models outside the catalog on a custom config", () => {
  it("reaches an OpenAI-compatible provider as <id>/<model>, with that provider's key", async () => {
    const res = await chat({ model: "backup/llama-3.3-70b" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect(lastChat().body).toMatchObject({ model: "llama-3.3-70b" });
    expect(lastChat().headers.authorization).toBe("Bearer sk-backup-upstream");
    // The price table is for the built-in types: an OpenAI-compatible provider's model has no price.
    expect(res.headers.get("x-runestone-cost")).toBe("unknown");
  });

  it("lets a catalog id that contains a slash win over the provider form", async () => {
    const res = await chat({ model: "backup/special" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("openai");
    expect(lastChat().body).toMatchObject({ model: "special-upstream" });
  });

  it("sends a bare name nothing else knows to the provider the request names", async () => {
    const res = await chat({ provider: "backup", model: "mixtral-8x7b" });
    expect(res.status).toBe(200);
    expect(lastChat().body).toMatchObject({ model: "mixtral-8x7b" });
    expect(lastChat().headers.authorization).toBe("Bearer sk-backup-upstream");
  });

  it("answers a provider without a key clearly, naming what to set", async () => {
    const res = await chat({ model: "nokey/some-model" });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("provider_not_configured");
    expect(error.message).toContain("providers.nokey.api_key");
  });

  it("says which provider type to configure for a well-known name no provider serves", async () => {
    const res = await chat({ model: "claude-3-5-sonnet" });
    expect(res.status).toBe(404);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("model_not_found");
    expect(error.message).toContain("add a provider of type anthropic");
    expect(error.message).toContain("'openai/claude-3-5-sonnet'");
  });

  it("lists the models the upstream's own /models lists, from a cache filled in the background", async () => {
    type Listed = { id: string; source: string; provider: string; upstream_model: string; pricing?: unknown };
    let data: Listed[] = [];
    for (let i = 0; i < 50 && !data.some((m) => m.id === "openai/gpt-4o"); i++) {
      data = ((await (await get("/v1/models")).json()) as { data: Listed[] }).data;
      if (!data.some((m) => m.id === "openai/gpt-4o")) await new Promise((r) => setTimeout(r, 100));
    }
    expect(data.find((m) => m.id === "openai/gpt-4o")).toMatchObject({ source: "discovered", provider: "openai", upstream_model: "gpt-4o", pricing: { input_per_1m: 2.5 } });
    expect(data.find((m) => m.id === "gpt-4o-mini")).toMatchObject({ source: "catalog" });
    const fetched = h.upstream.requests.filter((r) => r.method === "GET" && r.path === "/v1/models");
    expect(fetched.length).toBeGreaterThanOrEqual(1);
    expect(fetched[0]!.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    // A listing reads the cache: it never calls the upstream on the request path.
    await get("/v1/models");
    await get("/v1/models");
    expect(h.upstream.requests.filter((r) => r.method === "GET" && r.path === "/v1/models").length).toBe(fetched.length);
  });
});
