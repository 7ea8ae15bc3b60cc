// `type: azure-openai` end to end through the gateway against the mock's Azure data plane: the exact wire
// request (deployment path, api-version query, `api-key` header and never Authorization, OpenAI body), chat
// JSON, streams, a tool round trip, embeddings, upstream errors, and the key kept out of logs and errors.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../src/config/load";
import { ProviderRegistry } from "../src/providers/registry";
import { errorOf, postJson, readSse, startHarness, testConfigYaml, type Harness } from "./harness";

const AZURE_KEY = "azure-key-0123456789abcdef-never-log";
const configYaml = (url: string) =>
  testConfigYaml(url)
    .replace(
      "providers:\n",
      `providers:
  azure:
    type: azure-openai
    base_url: ${url}
    api_version: "2024-06-01"
    api_key: ${AZURE_KEY}
  azure-default:
    type: azure-openai
    base_url: ${url}
    api_key: ${AZURE_KEY}
`,
    )
    .replace(
      "models:\n",
      `models:
  az-chat:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: azure, model: my-gpt-deploy }]
  az-default-version:
    deployments: [{ provider: azure-default, model: other-deploy }]
  az-embed:
    capabilities: [embeddings]
    deployments: [{ provider: azure, model: my-embed-deploy }]
  az-fallback:
    deployments: [{ provider: azure, model: az-fb-p }, { provider: backup, model: az-fb-b }]
`,
    );

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const chat = (body: Record<string, unknown>) => postJson(`${h.url}/v1/chat/completions`, body);
const upstream = () => h.upstream.requests.at(-1)!;
const messages = [{ role: "user", content: "a b" }];

describe("azure-openai provider", () => {
  it("sends chat to the deployment's path with api-version and the api-key header, never Authorization", async () => {
    const res = await chat({ model: "az-chat", messages, temperature: 0.2 });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("azure");
    const body = (await res.json()) as { choices: Array<{ message: { content: string }; finish_reason: string }>; model: string };
    expect(body.choices[0]!.message.content).toBe("echo: a b");
    expect(body.choices[0]!.finish_reason).toBe("stop");
    expect(body.model).toBe("my-gpt-deploy");
    const sent = upstream();
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/openai/deployments/my-gpt-deploy/chat/completions");
    expect(sent.url).toBe("/openai/deployments/my-gpt-deploy/chat/completions?api-version=2024-06-01");
    expect(sent.headers["api-key"]).toBe(AZURE_KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toStrictEqual({ model: "my-gpt-deploy", messages, temperature: 0.2 });
  });

  it("uses api-version 2024-10-21 when the provider sets none", async () => {
    expect((await chat({ model: "az-default-version", messages })).status).toBe(200);
    expect(upstream().url).toBe("/openai/deployments/other-deploy/chat/completions?api-version=2024-10-21");
  });

  it("streams OpenAI chunks that end with [DONE]", async () => {
    const res = await chat({ model: "az-chat", messages, stream: true });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    expect(events.slice(0, -1).map((e) => JSON.parse(e).choices[0]?.delta?.content ?? "").join("")).toBe("echo: a b");
    expect(upstream().path).toBe("/openai/deployments/my-gpt-deploy/chat/completions");
    // 2024-06-01 does not know stream_options (Azure answers it 400): left out, the stream's usage is estimated.
    expect(upstream().body).toMatchObject({ stream: true });
    expect(upstream().body).not.toHaveProperty("stream_options");
    expect(upstream().headers.authorization).toBeUndefined();
  });

  it("asks for the stream's usage from API versions that take stream_options, and estimates it (flagged) for older ones", async () => {
    const usageOf = async (model: string) => {
      const res = await chat({ model, messages, stream: true, stream_options: { include_usage: true } });
      expect(res.status, model).toBe(200);
      const events = await readSse(res);
      expect(events.at(-1)).toBe("[DONE]");
      return (JSON.parse(events.at(-2)!) as { usage: Record<string, unknown> }).usage;
    };
    expect(await usageOf("az-default-version")).not.toHaveProperty("estimated");
    expect(upstream().body).toMatchObject({ stream_options: { include_usage: true } });
    expect(await usageOf("az-chat")).toMatchObject({ estimated: true });
    expect(upstream().body).not.toHaveProperty("stream_options");
  });

  it("relays a tool call and sends the tool result back on the next turn", async () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    h.upstream.behave({ reply: { toolCalls: [{ name: "get_weather", arguments: '{"city":"Oslo"}' }] } }, { times: 1 });
    const first = await chat({ model: "az-chat", messages: [{ role: "user", content: "weather in Oslo?" }], tools });
    expect(first.status).toBe(200);
    const answer = (await first.json()) as { choices: Array<{ message: { tool_calls: Array<{ id: string; function: { name: string; arguments: string } }> }; finish_reason: string }> };
    expect(answer.choices[0]!.finish_reason).toBe("tool_calls");
    const call = answer.choices[0]!.message.tool_calls[0]!;
    expect(call.function).toStrictEqual({ name: "get_weather", arguments: '{"city":"Oslo"}' });
    expect(upstream().body).toMatchObject({ tools });

    const turn2 = [
      { role: "user", content: "weather in Oslo?" },
      { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: call.function }] },
      { role: "tool", tool_call_id: call.id, content: "sunny" },
    ];
    const second = await chat({ model: "az-chat", messages: turn2, tools });
    expect(second.status).toBe(200);
    expect(upstream().path).toBe("/openai/deployments/my-gpt-deploy/chat/completions");
    expect((upstream().body as { messages: unknown[] }).messages).toStrictEqual(turn2);
  });

  it("sends embeddings to the deployment's embeddings path", async () => {
    const res = await postJson(`${h.url}/v1/embeddings`, { model: "az-embed", input: ["first", "second"] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Array<{ index: number; embedding: number[] }> };
    expect(body.data.map((d) => d.index)).toStrictEqual([0, 1]);
    expect(upstream().url).toBe("/openai/deployments/my-embed-deploy/embeddings?api-version=2024-06-01");
    expect(upstream().headers["api-key"]).toBe(AZURE_KEY);
    expect(upstream().headers.authorization).toBeUndefined();
    expect(upstream().body).toStrictEqual({ model: "my-embed-deploy", input: ["first", "second"] });
  });

  it("treats a 429 with a long Retry-After as retryable elsewhere: falls back to the next deployment", async () => {
    h.upstream.behave({ status: 429, retryAfter: 30 }, { times: 1, model: "az-fb-p" });
    const res = await chat({ model: "az-fallback", messages });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect(res.headers.get("x-runestone-fallbacks")).toBe("1");
    expect(h.upstream.requests.map((r) => r.path)).toStrictEqual(["/openai/deployments/az-fb-p/chat/completions", "/v1/chat/completions"]);
  });

  it("serves /v1/messages (Anthropic's format) through the same deployment, streamed and not", async () => {
    const res = await postJson(`${h.url}/v1/messages`, { model: "az-chat", max_tokens: 50, messages });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: "message", role: "assistant", content: [{ type: "text", text: "echo: a b" }], stop_reason: "end_turn" });
    expect(upstream().url).toBe("/openai/deployments/my-gpt-deploy/chat/completions?api-version=2024-06-01");
    expect(upstream().headers.authorization).toBeUndefined();
    const streamed = await postJson(`${h.url}/v1/messages`, { model: "az-chat", max_tokens: 50, messages, stream: true });
    expect(streamed.status).toBe(200);
    const types = [...(await streamed.text()).matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(types.at(0)).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
  });

  it("answers an upstream 400 as a 400, not retried, with the key scrubbed from the message and the logs", async () => {
    h.upstream.behave({ status: 400, errorMessage: `bad request for key ${AZURE_KEY}` }, { times: 1 });
    const res = await chat({ model: "az-chat", messages });
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.type).toBe("invalid_request_error");
    expect(err.message).not.toContain(AZURE_KEY);
    expect(h.upstream.requests).toHaveLength(1);
    expect(h.logs.text()).not.toContain(AZURE_KEY);
  });
});

describe("azure-openai in the default config", () => {
  it("stays declared but unconfigured (no key) without the environment variables", () => {
    const { config } = loadConfig({});
    expect(config.providers.azure).toMatchObject({ type: "azure-openai", api_key: "" });
    const azure = new ProviderRegistry(config).get("azure")!;
    expect(azure.configured).toBe(false);
    expect(azure.notConfiguredReason).toContain("AZURE_OPENAI_API_KEY");
  });

  it("takes its endpoint and key from AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY", () => {
    const { config } = loadConfig({ AZURE_OPENAI_API_KEY: AZURE_KEY, AZURE_OPENAI_ENDPOINT: "https://contoso.openai.azure.com/" });
    expect(config.providers.azure).toMatchObject({ type: "azure-openai", api_key: AZURE_KEY, base_url: "https://contoso.openai.azure.com/" });
  });
});

describe("the configuration guide's Azure example", () => {
  it("is a valid config that sends each model to its Azure deployment", () => {
    const guide = readFileSync(fileURLToPath(new URL("../../docs/guides/02-configuration.md", import.meta.url)), "utf8");
    const yaml = /## Azure OpenAI\n[\s\S]*?```yaml\n([\s\S]*?)```/.exec(guide)![1]!;
    const { config } = parseConfig(`${yaml}tenants: [{ id: t, keys: [sk-t-0123456789abcdef] }]\n`, { AZURE_OPENAI_ENDPOINT: "https://contoso.openai.azure.com", AZURE_OPENAI_API_KEY: AZURE_KEY });
    expect(config.providers.azure).toMatchObject({ type: "azure-openai", base_url: "https://contoso.openai.azure.com", api_key: AZURE_KEY, api_version: "2024-10-21" });
    expect(config.models["gpt-4o"]!.deployments).toMatchObject([{ provider: "azure", model: "my-gpt-4o-deployment" }]);
  });
});
