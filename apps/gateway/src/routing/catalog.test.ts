// How a request's `model` resolves: catalog id first (even with a slash), then `<provider>/<model>`, then a
// provider's model_patterns; and the 404 text that says how to reach a name that resolves to nothing.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/load";
import { ProviderRegistry } from "../providers/registry";
import { Catalog } from "./catalog";

const { config } = parseConfig(
  `
providers:
  mock: { type: mock }
  openai: { type: openai, base_url: "http://127.0.0.1:9/v1", api_key: k, model_patterns: ["gpt-*"] }
  groq: { type: openai-compatible, base_url: "http://127.0.0.1:9/v1", api_key: k, model_patterns: ["llama-*"] }
models:
  gpt-fast: { deployments: [{ provider: openai, model: gpt-fast-2 }] }
  groq/llama-house: { deployments: [{ provider: mock }] }
tenants: [{ id: t, keys: [sk-abcdefgh] }]
`,
  {},
);
const catalog = new Catalog(config, new ProviderRegistry(config));
const where = (name: string) => {
  const m = catalog.resolve(name);
  return m && `${m.source}:${m.deployments[0]!.provider.id}:${m.deployments[0]!.model}`;
};

describe("Catalog.resolve", () => {
  it("prefers the catalog, then the provider prefix, then the patterns", () => {
    expect(where("gpt-fast")).toBe("catalog:openai:gpt-fast-2");
    expect(where("groq/llama-house")).toBe("catalog:mock:groq/llama-house");
    expect(where("groq/llama-3.3-70b")).toBe("provider_prefix:groq:llama-3.3-70b");
    expect(where("openai/o3-mini")).toBe("provider_prefix:openai:o3-mini");
    expect(where("gpt-4o-mini")).toBe("model_pattern:openai:gpt-4o-mini");
    expect(where("llama-3-8b")).toBe("model_pattern:groq:llama-3-8b");
    expect(where("mixtral")).toBeUndefined();
    expect(where("openai/")).toBeUndefined();
  });

  it("prices a built-in type's model from the table and leaves the rest unpriced", () => {
    const known = catalog.resolve("openai/gpt-4o-2024-08-06")!;
    expect(known.pricing).toMatchObject({ input_per_1m: 2.5 });
    expect(known.deployments[0]!.model).toBe("gpt-4o-2024-08-06");
    const unknown = catalog.resolve("gpt-77")!;
    expect(unknown.pricing).toBeUndefined();
    expect(unknown.capabilitiesKnown).toBe(false);
    expect(unknown.deployments[0]!.model).toBe("gpt-77");
    expect(catalog.resolve("groq/gpt-4o")!.pricing).toBeUndefined();
  });

  it("says how to reach a name that resolves to nothing", () => {
    expect(catalog.unknownModelMessage("mixtral")).toContain("'openai/mixtral'");
    expect(catalog.unknownModelMessage("claude-3-5-sonnet")).toContain("add a provider of type anthropic");
    expect(catalog.unknownModelMessage("together/qwen")).toContain("add providers.together to the config");
    expect(catalog.unknownModelMessage("openai/")).toContain("'openai/<model>'");
  });
});
