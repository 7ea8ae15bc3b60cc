import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "./load";

const minimal = `
providers: { mock: { type: mock } }
models: { m: { deployments: [{ provider: mock }] } }
tenants: [{ id: t, keys: [sk-abcdefgh] }]
`;

describe("config loading", () => {
  it("fills defaults: port 4001, loopback, policy default, 10 concurrent per tenant", () => {
    const { config } = parseConfig(minimal, {});
    expect(config.server).toMatchObject({ port: 4001, host: "127.0.0.1" });
    expect(config.routing.default_policy).toBe("default");
    expect(config.limits.max_concurrent_per_tenant).toBe(10);
  });

  it("applies PORT, HOST, MAX_CONCURRENT_PER_TENANT and RUNESTONE_ROUTER_POLICY", () => {
    const { config } = parseConfig(minimal, { PORT: "5005", HOST: "0.0.0.0", MAX_CONCURRENT_PER_TENANT: "3", RUNESTONE_ROUTER_POLICY: "cost" });
    expect(config.server.port).toBe(5005);
    expect(config.server.host).toBe("0.0.0.0");
    expect(config.limits.max_concurrent_per_tenant).toBe(3);
    expect(config.routing.default_policy).toBe("cost");
  });

  it("interpolates ${VAR} and ${VAR:-fallback}", () => {
    const text = minimal.replace("{ mock: { type: mock } }", "{ mock: { type: mock }, o: { type: openai, base_url: '${B:-http://x.test/v1}', api_key: '${K}' } }");
    const { config } = parseConfig(text, { K: "secret" });
    expect(config.providers.o).toMatchObject({ base_url: "http://x.test/v1", api_key: "secret" });
  });

  it("names the variable and the key when a ${VAR} is unset", () => {
    const text = minimal.replace("{ mock: { type: mock } }", "{ o: { type: openai, base_url: 'http://x.test', api_key: '${MISSING_KEY}' } }");
    expect(() => parseConfig(text, {})).toThrow(/providers\.o\.api_key.*MISSING_KEY/);
  });

  it("names the offending key for a wrong type and for an unknown key", () => {
    expect(() => parseConfig(minimal + "server: { port: 'abc' }\n", {})).toThrow(/server\.port/);
    const err = (() => {
      try {
        parseConfig(minimal + "server: { prot: 1 }\n", {});
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/server.*prot/);
  });

  it("rejects a deployment on an unknown provider, naming it", () => {
    expect(() => parseConfig(minimal.replace("provider: mock }", "provider: ghost }"), {})).toThrow(/models\.m\.deployments\.0\.provider.*ghost/);
  });

  it("rejects a bad PORT value clearly", () => {
    expect(() => parseConfig(minimal, { PORT: "eighty" })).toThrow(/PORT/);
  });
});

describe("model_patterns (issue 15)", () => {
  const withProviders = (providers: string) => minimal.replace("providers: { mock: { type: mock } }", `providers: ${providers}`);

  it("loads the shipped default config, whose openai and anthropic patterns share no name", () => {
    const { config } = loadConfig({ RUNESTONE_CONFIG: "" });
    expect(config.providers.openai!.model_patterns).toEqual(["gpt-*", "o[0-9]*", "chatgpt-*", "text-embedding-*"]);
    expect(config.providers.anthropic!.model_patterns).toEqual(["claude-*"]);
  });

  it("refuses two providers whose patterns match one same name, naming both and an example", () => {
    const text = withProviders(`{ mock: { type: mock }, openai: { type: openai, base_url: "http://x.test/v1", model_patterns: ["gpt-*"] }, azure: { type: openai-compatible, base_url: "http://y.test/v1", model_patterns: ["gpt-4*"] } }`);
    let err: Error | undefined;
    try {
      parseConfig(text, {});
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toContain("providers.azure.model_patterns.0: 'gpt-4*'");
    expect(err!.message).toContain("providers.openai.model_patterns.0 'gpt-*'");
    expect(err!.message).toMatch(/both match a name such as 'gpt-4/);
  });

  it("checks only the providers the config defines, and allows overlap within one provider", () => {
    const text = withProviders(`{ mock: { type: mock }, groq: { type: openai-compatible, base_url: "http://x.test/v1", model_patterns: ["llama-*", "llama-3*"] } }`);
    expect(parseConfig(text, {}).config.providers.groq!.model_patterns).toHaveLength(2);
  });

  it("rejects a malformed glob in model_patterns or allowed_models, naming the key", () => {
    expect(() => parseConfig(withProviders(`{ mock: { type: mock, model_patterns: ["gpt-[4"] } }`), {})).toThrow(/providers\.mock\.model_patterns\.0: 'gpt-\[4': '\[' is not closed/);
    expect(() => parseConfig(minimal.replace("keys: [sk-abcdefgh] }", "keys: [sk-abcdefgh], allowed_models: ['[z-a]'] }"), {})).toThrow(/tenants\.0\.allowed_models\.0/);
  });
});
