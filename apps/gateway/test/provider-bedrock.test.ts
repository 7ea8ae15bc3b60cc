// `type: bedrock` end to end: the official openai SDK -> gateway -> AWS SDK (SigV4, event-stream) -> the mock's
// Bedrock Runtime Converse / ConverseStream. Asserts what reached the upstream (path, SigV4 header, body) and what
// the client got back (chat JSON, stream, tool round trip, images, errors, retries).
process.env.AWS_EC2_METADATA_DISABLED = "true"; // never ask an instance metadata service, whatever the SDK does
import { createHook } from "node:async_hooks";
import { getEventListeners } from "node:events";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { parseConfig } from "../src/config/load";
import type { ChatCall } from "../src/core/provider-contract";
import { ProviderRegistry } from "../src/providers/registry";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf, postJson, readSse, startHarness, TENANT_KEY, testConfigYaml, type Harness } from "./harness";

const ACCESS_KEY_ID = "AKIDEXAMPLEBEDROCK01";
const SECRET = "bedrock-secret-0123456789abcdef-never-log";
const MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0";
/** The `aws-long` provider's total timeout: long, and shorter than the request deadline (600 s), so each call has a timer of its own. */
const LONG_TOTAL_MS = 300_000;
const configYaml = (url: string) =>
  testConfigYaml(url)
    .replace(
      "providers:\n",
      `providers:
  aws:
    type: bedrock
    region: eu-west-3
    base_url: ${url}
    access_key_id: ${ACCESS_KEY_ID}
    secret_access_key: ${SECRET}
    timeouts: { connect_ms: 1000, first_byte_ms: 3000, idle_ms: 3000, total_ms: 10000 }
  aws-long:
    type: bedrock
    region: eu-west-3
    base_url: ${url}
    access_key_id: ${ACCESS_KEY_ID}
    secret_access_key: ${SECRET}
    timeouts: { connect_ms: 1000, first_byte_ms: 3000, idle_ms: 3000, total_ms: ${LONG_TOTAL_MS} }
`,
    )
    .replace(
      "models:\n",
      `models:
  br-chat:
    capabilities: [chat, streaming, function_calling, vision]
    deployments: [{ provider: aws, model: "${MODEL_ID}" }]
  br-throttled:
    deployments: [{ provider: aws, model: br-throttled-id }]
  br-invalid:
    deployments: [{ provider: aws, model: br-invalid-id }]
  br-denied:
    deployments: [{ provider: aws, model: br-denied-id }]
  br-quota:
    deployments: [{ provider: aws, model: br-quota-id }]
  br-fallback:
    deployments: [{ provider: aws, model: br-fb-p }, { provider: backup, model: br-fb-b }]
  br-long:
    capabilities: [chat, streaming]
    deployments: [{ provider: aws-long, model: br-long-id }]
`,
    );

let h: Harness;
let client: OpenAI;
beforeAll(async () => {
  h = await startHarness({ configYaml });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const upstream = () => h.upstream.requests.at(-1)!;
const weatherTool = {
  type: "function" as const,
  function: { name: "get_weather", description: "Weather of a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

describe("bedrock provider", () => {
  it("answers chat JSON from Converse, signed with SigV4 for bedrock in the configured region", async () => {
    h.upstream.behave({ usage: { prompt_tokens: 10, completion_tokens: 3, cached_tokens: 4 } }, { times: 1, model: MODEL_ID });
    const res = await client.chat.completions.create({
      model: "br-chat",
      messages: [
        { role: "system", content: "be terse" },
        { role: "user", content: "a b" },
      ],
      max_tokens: 20,
      temperature: 0.2,
    });
    expect(res.choices[0]!.message.content).toBe("echo: a b");
    expect(res.choices[0]!.finish_reason).toBe("stop");
    // inputTokens 10 + cacheReadInputTokens 4: OpenAI's prompt_tokens counts cached tokens too.
    expect(res.usage).toMatchObject({ prompt_tokens: 14, completion_tokens: 3, total_tokens: 17, prompt_tokens_details: { cached_tokens: 4 } });
    expect(res.model).toBe(MODEL_ID);

    const req = upstream();
    expect(req.method).toBe("POST");
    expect(req.path).toBe(`/model/${encodeURIComponent(MODEL_ID)}/converse`);
    const auth = String(req.headers.authorization);
    const amzDate = String(req.headers["x-amz-date"]);
    expect(amzDate).toMatch(/^\d{8}T\d{6}Z$/);
    expect(auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEBEDROCK01\/\d{8}\/eu-west-3\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    expect(auth).toContain(`/${amzDate.slice(0, 8)}/`);
    expect(req.body).toStrictEqual({
      messages: [{ role: "user", content: [{ text: "a b" }] }],
      system: [{ text: "be terse" }],
      inferenceConfig: { maxTokens: 20, temperature: 0.2 },
    });
    expect(h.logs.text()).not.toContain(SECRET);
  });

  it("streams ConverseStream as OpenAI chunks ending in [DONE], with the usage chunk when asked", async () => {
    const res = await postJson(`${h.url}/v1/chat/completions`, {
      model: "br-chat",
      messages: [{ role: "user", content: "one two three" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: unknown });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: one two three");
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(upstream().path).toBe(`/model/${encodeURIComponent(MODEL_ID)}/converse-stream`);
    expect(String(upstream().headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEBEDROCK01\//);

    const plain = await readSse(await postJson(`${h.url}/v1/chat/completions`, { model: "br-chat", messages: [{ role: "user", content: "x" }], stream: true }));
    expect(plain.at(-1)).toBe("[DONE]");
    expect(plain.slice(0, -1).some((e) => "usage" in (JSON.parse(e) as object))).toBe(false);
  });

  it("makes a tool round trip: toolSpec out, tool_calls back, then toolUse and toolResult blocks upstream", async () => {
    const first = await client.chat.completions.create({ model: "br-chat", messages: [{ role: "user", content: "weather in Paris" }], tools: [weatherTool] });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    expect(call.type === "function" && call.function.name).toBe("get_weather");
    expect(call.type === "function" && JSON.parse(call.function.arguments)).toStrictEqual({ input: "weather in Paris" });
    expect((upstream().body as { toolConfig: unknown }).toolConfig).toStrictEqual({
      tools: [{ toolSpec: { name: "get_weather", description: "Weather of a city", inputSchema: { json: weatherTool.function.parameters } } }],
    });

    const second = await client.chat.completions.create({
      model: "br-chat",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "weather in Paris" },
        first.choices[0]!.message,
        { role: "tool", tool_call_id: call.id, content: "sunny" },
      ],
    });
    expect(second.choices[0]!.finish_reason).toBe("stop");
    expect((upstream().body as { messages: unknown }).messages).toStrictEqual([
      { role: "user", content: [{ text: "weather in Paris" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: call.id, name: "get_weather", input: { input: "weather in Paris" } } }] },
      { role: "user", content: [{ toolResult: { toolUseId: call.id, content: [{ text: "sunny" }] } }] },
    ]);
  });

  it("declares tools when the history holds tool calls, even with tool_choice none or no tools (Bedrock refuses tool blocks without a toolConfig)", async () => {
    const history = [
      { role: "user" as const, content: "weather in Paris" },
      { role: "assistant" as const, content: null, tool_calls: [{ id: "tooluse_1", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool" as const, tool_call_id: "tooluse_1", content: "sunny" },
    ];
    const none = await client.chat.completions.create({ model: "br-chat", messages: history, tools: [weatherTool], tool_choice: "none" });
    expect(none.choices[0]!.finish_reason).toBe("stop");
    expect((upstream().body as { toolConfig: unknown }).toolConfig).toStrictEqual({
      tools: [{ toolSpec: { name: "get_weather", description: "Weather of a city", inputSchema: { json: weatherTool.function.parameters } } }],
    });

    const noTools = await client.chat.completions.create({ model: "br-chat", messages: history });
    expect(noTools.choices[0]!.finish_reason).toBe("stop");
    expect((upstream().body as { toolConfig: unknown }).toolConfig).toStrictEqual({ tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: { type: "object" } } } }] });
  });

  it("answers a temperature above Converse's 1 (OpenAI allows 2) with Bedrock's hottest, not a 400", async () => {
    const res = await client.chat.completions.create({ model: "br-chat", messages: [{ role: "user", content: "a b" }], temperature: 1.8 });
    expect(res.choices[0]!.message.content).toBe("echo: a b");
    expect((upstream().body as { inferenceConfig: unknown }).inferenceConfig).toMatchObject({ temperature: 1 });
  });

  it("sends no blank text block (Bedrock refuses them): an empty assistant turn is dropped and its neighbours merged, an empty tool output is said as (empty)", async () => {
    const res = await client.chat.completions.create({
      model: "br-chat",
      messages: [
        { role: "user", content: "a" },
        { role: "assistant", content: "" },
        { role: "user", content: [{ type: "text", text: "b" }, { type: "text", text: " " }] },
        { role: "assistant", content: "\n\n", tool_calls: [{ id: "tooluse_1", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "tooluse_1", content: "" },
      ],
      tools: [weatherTool],
    });
    expect(res.choices[0]!.finish_reason).toBe("stop");
    expect((upstream().body as { messages: unknown }).messages).toStrictEqual([
      { role: "user", content: [{ text: "a" }, { text: "b" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: {} } }] },
      { role: "user", content: [{ toolResult: { toolUseId: "tooluse_1", content: [{ text: "(empty)" }] } }] },
    ]);
  });

  it("refuses a blank last user message with a 400 naming it, without calling Bedrock (dropping it would have Bedrock continue the assistant's text)", async () => {
    const res = await postJson(`${h.url}/v1/chat/completions`, {
      model: "br-chat",
      messages: [
        { role: "user", content: "a" },
        { role: "assistant", content: "b" },
        { role: "user", content: " " },
      ],
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ type: "invalid_request_error", param: "messages.2.content" });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("reports Bedrock's model_context_window_exceeded as finish_reason length", async () => {
    const answer = { output: { message: { role: "assistant", content: [{ text: "cut" }] } }, stopReason: "model_context_window_exceeded", usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } };
    h.upstream.behave({ rawBody: JSON.stringify(answer) }, { times: 1, model: MODEL_ID });
    const res = await client.chat.completions.create({ model: "br-chat", messages: [{ role: "user", content: "x" }] });
    expect(res.choices[0]).toMatchObject({ finish_reason: "length", message: { content: "cut" } });
  });

  it("answers a malformed_tool_use stop as a 502 upstream error (not a finish reason), falling back to the next deployment when there is one", async () => {
    const malformed = JSON.stringify({ output: { message: { role: "assistant", content: [{ text: "{" }] } }, stopReason: "malformed_tool_use", usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } });
    h.upstream.behave({ rawBody: malformed }, { model: "br-invalid-id" });
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "br-invalid", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(502);
    const err = await errorOf(res);
    expect(err).toMatchObject({ type: "service_error", code: "upstream_protocol_error" });
    expect(err.message).toContain("malformed_tool_use");

    h.upstream.behave({ rawBody: malformed }, { model: "br-fb-p" });
    const fell = await postJson(`${h.url}/v1/chat/completions`, { model: "br-fallback", messages: [{ role: "user", content: "x" }] });
    expect(fell.status).toBe(200);
    expect(fell.headers.get("x-runestone-provider")).toBe("backup");
  });

  it("sends tool call ids from other providers (Gemini's base64, over 64 characters) as valid Bedrock ids, the same for a call and its result", async () => {
    const gemini = "__thought__Cs8BAY+/xyz==";
    const long = `call_${"a".repeat(70)}`;
    const res = await client.chat.completions.create({
      model: "br-chat",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "weather in Paris and Oslo" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: gemini, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: long, type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
            { id: "tooluse_ok-1", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: "tool", tool_call_id: gemini, content: "sunny" },
        { role: "tool", tool_call_id: long, content: "rain" },
        { role: "tool", tool_call_id: "tooluse_ok-1", content: "warm" },
      ],
    });
    expect(res.choices[0]!.finish_reason).toBe("stop");
    const [, assistant, results] = (upstream().body as { messages: Array<{ content: Array<{ toolUse?: { toolUseId: string }; toolResult?: { toolUseId: string } }> }> }).messages;
    const useIds = assistant!.content.map((b) => b.toolUse!.toolUseId);
    expect(results!.content.map((b) => b.toolResult!.toolUseId)).toStrictEqual(useIds);
    expect(useIds[2]).toBe("tooluse_ok-1");
    expect(new Set(useIds).size).toBe(3);
    for (const id of useIds) expect(id).toMatch(/^[a-zA-Z0-9_.:-]{1,64}$/);
  });

  it("answers response_format json_schema with Converse structured output (outputConfig.textFormat)", async () => {
    const schema = { type: "object", properties: { echo: { type: "string" } }, required: ["echo"] };
    const res = await client.chat.completions.create({
      model: "br-chat",
      messages: [{ role: "user", content: "a b" }],
      response_format: { type: "json_schema", json_schema: { name: "echo", schema } },
    });
    expect(JSON.parse(res.choices[0]!.message.content!)).toStrictEqual({ echo: "a b" });
    expect((upstream().body as { outputConfig: unknown }).outputConfig).toStrictEqual({
      textFormat: { type: "json_schema", structure: { jsonSchema: { schema: JSON.stringify(schema), name: "echo" } } },
    });
  });

  it("streams a tool call as tool_calls deltas", async () => {
    const stream = await client.chat.completions.create({ model: "br-chat", messages: [{ role: "user", content: "weather in Oslo" }], tools: [weatherTool], stream: true });
    let name = "";
    let args = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta;
      name += d?.tool_calls?.[0]?.function?.name ?? "";
      args += d?.tool_calls?.[0]?.function?.arguments ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe("get_weather");
    expect(JSON.parse(args)).toStrictEqual({ input: "weather in Oslo" });
    expect(finish).toBe("tool_calls");
  });

  it("sends a base64 data URL image as an image block with its format and bytes", async () => {
    const png = Buffer.from("not really a png").toString("base64");
    await client.chat.completions.create({
      model: "br-chat",
      messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } }] }],
    });
    expect((upstream().body as { messages: unknown }).messages).toStrictEqual([
      { role: "user", content: [{ text: "what is this" }, { image: { format: "png", source: { bytes: png } } }] },
    ]);
  });

  it("refuses an image URL that is not a data URL with a 400 naming the field, without calling Bedrock", async () => {
    const res = await postJson(`${h.url}/v1/chat/completions`, {
      model: "br-chat",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }],
    });
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { type: string; param: string } };
    expect(err.error).toMatchObject({ type: "invalid_request_error", param: "messages.0.content.0.image_url.url" });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("retries a ThrottlingException and answers from the second try", async () => {
    h.upstream.behave({ status: 429 }, { times: 1, model: "br-throttled-id" });
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "br-throttled", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(200);
    expect(h.upstream.requests.map((r) => r.path)).toStrictEqual(["/model/br-throttled-id/converse", "/model/br-throttled-id/converse"]);
  });

  it("answers a ServiceQuotaExceededException as 429 rate_limit_error upstream_rate_limited (not insufficient_quota: the client may retry later), without trying the same deployment again", async () => {
    h.upstream.behave({ status: 400, errorType: "ServiceQuotaExceededException", errorMessage: "quota exceeded" }, { model: "br-quota-id" });
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "br-quota", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(429);
    const err = await errorOf(res);
    expect(err.type).toBe("rate_limit_error");
    expect(err.code).toBe("upstream_rate_limited");
    expect(err.message).toContain("quota exceeded");
    expect(h.upstream.requests.map((r) => r.path)).toStrictEqual(["/model/br-quota-id/converse"]);
  });

  it("falls back to the next deployment when Bedrock's service quota is exceeded", async () => {
    h.upstream.behave({ status: 400, errorType: "ServiceQuotaExceededException" }, { model: "br-fb-p" });
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "br-fallback", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect(h.upstream.requests.map((r) => r.path)).toStrictEqual(["/model/br-fb-p/converse", "/v1/chat/completions"]);
  });

  it("falls back to the next deployment when Bedrock is unavailable", async () => {
    h.upstream.behave({ status: 503 }, { model: "br-fb-p" });
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "br-fallback", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect(h.upstream.requests[0]!.path).toBe("/model/br-fb-p/converse");
  });

  it("serves /v1/messages (Anthropic's format) through the same provider", async () => {
    const res = await postJson(`${h.url}/v1/messages`, { model: "br-chat", max_tokens: 50, system: "be terse", messages: [{ role: "user", content: "hi there" }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { type: string; content: Array<{ type: string; text: string }>; stop_reason: string };
    expect(body).toMatchObject({ type: "message", content: [{ type: "text", text: "echo: hi there" }], stop_reason: "end_turn" });
    expect(upstream().body).toMatchObject({ system: [{ text: "be terse" }], inferenceConfig: { maxTokens: 50 } });
  });

  it("answers a ValidationException as a 400, not retried", async () => {
    h.upstream.behave({ status: 400, errorMessage: "messages: bad shape" }, { times: 1, model: "br-invalid-id" });
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "br-invalid", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.type).toBe("invalid_request_error");
    expect(err.message).toContain("messages: bad shape");
    expect(h.upstream.requests).toHaveLength(1);
  });

  it("answers refused credentials (AccessDeniedException) as 502 upstream_misconfigured, not retried, without AWS's text", async () => {
    h.upstream.behave({ status: 403, errorMessage: "User arn:aws:iam::123456789012:user/x is not authorized" }, { times: 1, model: "br-denied-id" });
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "br-denied", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(502);
    const err = await errorOf(res);
    expect(err.code).toBe("upstream_misconfigured");
    expect(err.message).not.toContain("arn:aws");
    expect(h.upstream.requests).toHaveLength(1);
  });

  it("ends a stream with an error event when Bedrock sends an exception mid-stream", async () => {
    h.upstream.behave({ midStreamError: 1 }, { times: 1, model: MODEL_ID });
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "br-chat", messages: [{ role: "user", content: "one two three" }], stream: true });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.some((e) => e.includes('"error"'))).toBe(true);
    expect(events.at(-1)).not.toBe("[DONE]");
  });
});

describe("the configuration guide's Bedrock example", () => {
  it("is a valid config whose provider is configured from the config's region and keys", () => {
    const guide = readFileSync(fileURLToPath(new URL("../../docs/guides/02-configuration.md", import.meta.url)), "utf8");
    const yaml = /## AWS Bedrock\n[\s\S]*?```yaml\n([\s\S]*?)```/.exec(guide)![1]!;
    const { config } = parseConfig(`${yaml}tenants: [{ id: t, keys: [sk-t-0123456789abcdef] }]\n`, { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET });
    expect(config.providers.bedrock).toMatchObject({ type: "bedrock", region: "us-east-1", access_key_id: ACCESS_KEY_ID, secret_access_key: SECRET });
    expect(config.models["claude-3-5-haiku"]!.deployments[0]).toMatchObject({ provider: "bedrock", model: "us.anthropic.claude-3-5-haiku-20241022-v1:0" });
    const registry = new ProviderRegistry(config);
    expect(registry.get("bedrock")).toMatchObject({ kind: "bedrock", configured: true });
    return registry.close();
  });
});

describe("a bedrock provider with only half of a key pair", () => {
  it("is declared but not configured, and says which fields it needs, instead of falling back to the default chain", async () => {
    const { config } = parseConfig(
      `providers:\n  half: { type: bedrock, region: us-east-1, access_key_id: ${ACCESS_KEY_ID} }\nmodels:\n  m: { deployments: [{ provider: half, model: x }] }\ntenants: [{ id: t, keys: [sk-t-0123456789abcdef] }]\n`,
      {},
    );
    const registry = new ProviderRegistry(config);
    const half = registry.get("half")!;
    expect(half.configured).toBe(false);
    expect(half.notConfiguredReason).toContain("access_key_id and secret_access_key");
    await registry.close();
  });
});

/**
 * Timeouts created while `fn` runs that are still pending when it returns (neither fired nor cleared). Counted with
 * async_hooks because the provider's deadline timer is unref()'d, which process.getActiveResourcesInfo() leaves out.
 */
async function timersLeftBy(fn: () => Promise<void>): Promise<number> {
  const pending = new Set<number>();
  const hook = createHook({
    init(id, type) {
      if (type === "Timeout") pending.add(id);
    },
    destroy(id) {
      pending.delete(id);
    },
  });
  hook.enable();
  try {
    await fn();
    // destroy runs a tick after clearTimeout: a timer cleared in fn's last tick is not pending.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    hook.disable();
  }
  return pending.size;
}

describe("a bedrock provider's total timeout (total_ms shorter than the request deadline)", () => {
  const N = 20;
  const chat = (stream: boolean) => postJson(`${h.url}/v1/chat/completions`, { model: "br-long", messages: [{ role: "user", content: "one two three" }], stream });

  it(`leaves no timer behind after ${N} answered, streamed and failed calls (each one's ends with the call, not ${LONG_TOTAL_MS} ms later)`, async () => {
    // Only a provider deadline shorter than the request's has a timer of its own to leave behind.
    expect(h.config.server.request_timeout_ms).toBeGreaterThan(LONG_TOTAL_MS);
    // Once first, outside the count: the SDK's lazy load, the client and its keep-alive sockets are made once per provider.
    expect((await chat(false)).status).toBe(200);
    await readSse(await chat(true));
    h.upstream.reset();

    const left = await timersLeftBy(async () => {
      for (let i = 0; i < N; i++) {
        const res = await chat(false);
        expect(res.status).toBe(200);
        await res.json();
      }
      for (let i = 0; i < N; i++) {
        const events = await readSse(await chat(true));
        expect(events.at(-1)).toBe("[DONE]");
      }
      h.upstream.behave({ status: 400, errorMessage: "messages: bad shape" }, { times: 2 * N, model: "br-long-id" });
      for (let i = 0; i < N; i++) {
        const res = await chat(false);
        expect(res.status).toBe(400);
        await res.json();
      }
      for (let i = 0; i < N; i++) {
        const res = await chat(true);
        expect(res.status).toBe(400);
        await res.json();
      }
      h.upstream.behave({ midStreamError: 1 }, { times: N, model: "br-long-id" });
      for (let i = 0; i < N; i++) {
        const events = await readSse(await chat(true));
        expect(events.some((e) => e.includes('"error"'))).toBe(true);
      }
    });
    expect(h.upstream.requests).toHaveLength(5 * N);
    // Left pending by design, whatever N: one keep-alive timer per open socket (the gateway's, the mock's, the client's),
    // the Date header cache, the job queue's pump (7 when this was written). One per call (5 * N here) is the leak.
    expect(left).toBeLessThan(15);
  });

  it(`leaves no 'abort' listener on the caller's signal after ${N} answered, streamed and failed calls`, async () => {
    // The provider as the executor calls it, with one long-lived signal of the caller's (not a request's own, which
    // a total_ms this short never shares), against the same mock Bedrock.
    const registry = new ProviderRegistry(h.config);
    try {
      const provider = registry.get("aws-long")!;
      const caller = new AbortController();
      const call = (stream: boolean): ChatCall => ({
        body: { model: "br-long", messages: [{ role: "user", content: "one two three" }], stream },
        upstreamModel: "br-long-id",
        publicModel: "br-long",
        stream,
        clientWantsUsage: false,
        requestId: "req-bedrock-deadline",
      });
      const drain = async (chunks: AsyncIterable<unknown>) => {
        let n = 0;
        for await (const _ of chunks) n++;
        return n;
      };
      for (let i = 0; i < N; i++) {
        expect((await provider.complete(call(false), caller.signal)).choices[0]!.message.content).toBe("echo: one two three");
        expect(await drain(await provider.stream(call(true), caller.signal))).toBeGreaterThan(0);
      }
      h.upstream.behave({ status: 400, errorMessage: "messages: bad shape" }, { times: 2 * N, model: "br-long-id" });
      for (let i = 0; i < N; i++) {
        await expect(provider.complete(call(false), caller.signal)).rejects.toMatchObject({ name: "UpstreamError" });
        await expect(provider.stream(call(true), caller.signal)).rejects.toMatchObject({ name: "UpstreamError" });
      }
      h.upstream.behave({ midStreamError: 1 }, { times: N, model: "br-long-id" });
      for (let i = 0; i < N; i++) await expect(drain(await provider.stream(call(true), caller.signal))).rejects.toMatchObject({ name: "UpstreamError" });
      expect(h.upstream.requests).toHaveLength(5 * N);
      expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
    } finally {
      await registry.close();
    }
  });
});
