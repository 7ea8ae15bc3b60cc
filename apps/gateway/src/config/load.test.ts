import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./load";

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
