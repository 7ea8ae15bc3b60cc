// A model's `defaults_with_tools` reach the upstream on requests that carry tools, whichever way the
// model was chosen, and never replace what the client sent (OpenAI's GPT-6 models take function tools
// on Chat Completions only with reasoning_effort "none"; the default catalog sets it for them).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../src/config/load";
import { postJson, startHarness, tempSqlitePath, TENANT_KEY, UPSTREAM_KEY, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    configYaml: (url) => `
state: { sqlite_path: ${tempSqlitePath()} }
server: { host: 127.0.0.1, port: 0, shutdown_grace_ms: 1000 }
providers:
  openai: { type: openai, base_url: "${url}/v1", api_key: ${UPSTREAM_KEY} }
models:
  luna:
    capabilities: [chat, streaming, function_calling]
    pricing: { input_per_1m: 0.1, output_per_1m: 0.5 }
    defaults_with_tools: { reasoning_effort: none }
    deployments: [{ provider: openai, model: gpt-6-luna }]
  plain:
    capabilities: [chat, streaming, function_calling]
    pricing: { input_per_1m: 1, output_per_1m: 5 }
    deployments: [{ provider: openai, model: plain-model }]
tenants:
  - { id: t, keys: [${TENANT_KEY}] }
`,
  });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
const messages = [{ role: "user", content: "weather in Paris?" }];
const sentUpstream = () => h.upstream.requests.at(-1)!.body as Record<string, unknown>;

describe("a model's defaults for requests with tools", () => {
  it("are added upstream when the client sent tools without them, streamed or not", async () => {
    for (const stream of [false, true]) {
      const res = await postJson(`${h.url}/v1/chat/completions`, { model: "luna", messages, tools, stream });
      expect(res.status).toBe(200);
      await res.text();
      expect(sentUpstream()).toMatchObject({ model: "gpt-6-luna", reasoning_effort: "none" });
    }
  });

  it("apply to the model that cost routing picked, and only to it", async () => {
    const res = await postJson(`${h.url}/v1/chat/completions`, { capabilities: ["function_calling"], messages, tools, routing_policy: "cost" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-model")).toBe("luna");
    expect(sentUpstream().reasoning_effort).toBe("none");
    await postJson(`${h.url}/v1/chat/completions`, { model: "plain", messages, tools });
    expect(sentUpstream()).not.toHaveProperty("reasoning_effort");
  });

  it("never replace the client's own value, and stay out of requests without tools", async () => {
    await postJson(`${h.url}/v1/chat/completions`, { model: "luna", messages, tools, reasoning_effort: "low" });
    expect(sentUpstream().reasoning_effort).toBe("low");
    await postJson(`${h.url}/v1/chat/completions`, { model: "luna", messages });
    expect(sentUpstream()).not.toHaveProperty("reasoning_effort");
  });

  it("reach the upstream for an Anthropic-shaped request with tools on /v1/messages too", async () => {
    const res = await postJson(`${h.url}/v1/messages`, {
      model: "luna",
      max_tokens: 100,
      messages: [{ role: "user", content: "weather in Paris?" }],
      tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
    });
    expect(res.status).toBe(200);
    expect(sentUpstream()).toMatchObject({ model: "gpt-6-luna", reasoning_effort: "none" });
  });

  it("may not set the fields the gateway and the client own", () => {
    const yaml = (field: string) => `
providers: { openai: { type: openai, base_url: "http://127.0.0.1:9/v1", api_key: sk-x } }
models: { m: { defaults_with_tools: { ${field}: true }, deployments: [{ provider: openai }] } }
tenants: [{ id: t, keys: [${TENANT_KEY}] }]
`;
    for (const field of ["stream", "model", "tools", "n"]) expect(() => parseConfig(yaml(field), {}), field).toThrow(/defaults_with_tools/);
    expect(() => parseConfig(yaml("parallel_tool_calls"), {})).not.toThrow();
  });

  it("are set in the default catalog for the GPT-6 models that accept none", () => {
    const { config } = loadConfig({});
    expect(config.models["gpt-6-luna"]?.defaults_with_tools).toEqual({ reasoning_effort: "none" });
    expect(config.models["gpt-6.1-terra"]?.defaults_with_tools).toEqual({ reasoning_effort: "none" });
  });
});
