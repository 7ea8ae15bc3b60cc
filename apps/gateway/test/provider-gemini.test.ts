// `type: gemini` end to end through the gateway, with the official openai SDK as the client, against the mock's
// Gemini API: the exact wire request (v1beta path, alt=sse for streams, the key in x-goog-api-key and never
// Authorization, a contents/systemInstruction/generationConfig body), chat JSON, a stream ending in [DONE],
// a tool round trip (functionCall out, functionResponse back) and Google's errors mapped to OpenAI's.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../src/config/load";
import { postJson, startHarness, testConfigYaml, TENANT_KEY, type Harness } from "./harness";

const GEMINI_KEY = "AIza-gemini-test-key-never-log-0123";
const configYaml = (url: string) =>
  testConfigYaml(url)
    .replace("providers:\n", `providers:\n  gemini:\n    type: gemini\n    base_url: ${url}\n    api_key: ${GEMINI_KEY}\n`)
    .replace(
      "models:\n",
      `models:
  gem-chat:
    capabilities: [chat, streaming, function_calling, json_mode, vision]
    deployments: [{ provider: gemini, model: gemini-test-flash }]
  gem-pro:
    capabilities: [chat, streaming]
    deployments: [{ provider: gemini, model: gemini-test-pro }]
  gem-embed:
    capabilities: [embeddings]
    deployments: [{ provider: gemini, model: gemini-embedding-test }]
  gem-fallback:
    deployments: [{ provider: gemini, model: gem-fb-p }, { provider: backup, model: gem-fb-b }]
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

describe("gemini provider", () => {
  it("answers chat JSON from generateContent, sending the key in x-goog-api-key and a Gemini body", async () => {
    const out = await client.chat.completions.create({
      model: "gem-chat",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hello there" },
      ],
      temperature: 0.3,
      max_tokens: 50,
    });
    expect(out.choices[0]!.message.content).toBe("echo: hello there");
    expect(out.choices[0]!.finish_reason).toBe("stop");
    expect(out.model).toBe("gemini-test-flash");
    expect(out.usage?.completion_tokens).toBe(3);
    expect(out.usage?.prompt_tokens).toBeGreaterThan(0);

    const sent = upstream();
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe("/v1beta/models/gemini-test-flash:generateContent");
    expect(sent.headers["x-goog-api-key"]).toBe(GEMINI_KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toStrictEqual({
      contents: [{ role: "user", parts: [{ text: "hello there" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { temperature: 0.3, maxOutputTokens: 50 },
    });
  });

  it("streams chunks from streamGenerateContent?alt=sse, with usage from the last usageMetadata, then [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: "gem-chat",
      messages: [{ role: "user", content: "one two three" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    const finishes: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    // The SDK ends its iteration only at [DONE]; a stream without it would throw or hang.
    expect(text).toBe("echo: one two three");
    expect(finishes).toStrictEqual(["stop"]);
    expect(usage?.completion_tokens).toBe(4);
    expect(upstream().url).toBe("/v1beta/models/gemini-test-flash:streamGenerateContent?alt=sse");
    expect(upstream().headers["x-goog-api-key"]).toBe(GEMINI_KEY);
  });

  it("does a tool round trip: functionCall becomes tool_calls, the tool result goes back as functionResponse", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Weather for a city",
          parameters: { type: "object", additionalProperties: false, properties: { city: { type: "string" } }, required: ["city"] },
        },
      },
    ];
    const question = { role: "user" as const, content: "weather in Paris" };
    const first = await client.chat.completions.create({ model: "gem-chat", messages: [question], tools });
    const call = first.choices[0]!.message.tool_calls?.[0];
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" ? call.function.name : undefined).toBe("get_weather");
    expect(call?.type === "function" ? JSON.parse(call.function.arguments) : undefined).toStrictEqual({ input: "weather in Paris" });
    expect(upstream().body).toMatchObject({
      tools: [{ functionDeclarations: [{ name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }] }],
    });
    expect(JSON.stringify(upstream().body)).not.toContain("additionalProperties");

    const second = await client.chat.completions.create({
      model: "gem-chat",
      tools,
      messages: [question, first.choices[0]!.message, { role: "tool", tool_call_id: call!.id, content: '{"temp_c":21}' }],
    });
    expect(second.choices[0]!.finish_reason).toBe("stop");
    expect(second.choices[0]!.message.content).toBe("echo: weather in Paris");
    expect((upstream().body as { contents: unknown[] }).contents).toStrictEqual([
      { role: "user", parts: [{ text: "weather in Paris" }] },
      { role: "model", parts: [{ functionCall: { name: "get_weather", args: { input: "weather in Paris" } } }] },
      { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { temp_c: 21 } } }] },
    ]);
  });

  it("answers a tool and a response_format whose schemas have integer, boolean and const enums (Google's enum takes strings only)", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "set_level",
          parameters: {
            type: "object",
            properties: { level: { type: "integer", enum: [1, 2, 3], description: "How loud." }, unit: { type: "string", enum: ["db", "pct"] } },
            required: ["level"],
          },
        },
      },
    ];
    const call = await client.chat.completions.create({ model: "gem-chat", messages: [{ role: "user", content: "louder" }], tools });
    expect(call.choices[0]!.finish_reason).toBe("tool_calls");
    expect((upstream().body as { tools: unknown }).tools).toStrictEqual([
      {
        functionDeclarations: [
          {
            name: "set_level",
            parameters: {
              type: "object",
              properties: { level: { type: "integer", description: "How loud.\nAllowed values: 1, 2, 3" }, unit: { type: "string", enum: ["db", "pct"] } },
              required: ["level"],
            },
          },
        ],
      },
    ]);

    const schema = { type: "object", properties: { ok: { type: "boolean", const: true }, n: { type: ["number", "null"], enum: [0.5, null] } }, required: ["ok", "n"] };
    const json = await client.chat.completions.create({
      model: "gem-chat",
      messages: [{ role: "user", content: "check" }],
      response_format: { type: "json_schema", json_schema: { name: "r", schema } },
    });
    expect(json.choices[0]!.message.content).toBe('{"echo":"check"}');
    expect((upstream().body as { generationConfig: unknown }).generationConfig).toStrictEqual({
      responseMimeType: "application/json",
      responseSchema: {
        type: "object",
        properties: { ok: { type: "boolean", description: "Allowed values: true" }, n: { type: "number", nullable: true, description: "Allowed values: 0.5" } },
        required: ["ok", "n"],
      },
    });
  });

  it("asks for thoughts with reasoning_effort (thinkingConfig with the effort's budget) and answers them as reasoning_content, JSON and stream", async () => {
    h.upstream.behave({ reply: { thinking: { text: "weigh the options", signature: "sig" } } });
    const ask = { model: "gem-chat", messages: [{ role: "user" as const, content: "pick one" }] };
    const out = await client.chat.completions.create({ ...ask, reasoning_effort: "medium" });
    const message = out.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    expect([message.reasoning_content, message.content]).toStrictEqual(["weigh the options", "echo: pick one"]);
    expect(out.usage?.completion_tokens_details?.reasoning_tokens).toBe(3);
    expect((upstream().body as { generationConfig: unknown }).generationConfig).toStrictEqual({ thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } });

    const stream = await client.chat.completions.create({ ...ask, reasoning_effort: "high", stream: true });
    let reasoning = "";
    let text = "";
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? "";
      text += delta?.content ?? "";
    }
    expect([reasoning, text]).toStrictEqual(["weigh the options", "echo: pick one"]);
    expect((upstream().body as { generationConfig: unknown }).generationConfig).toStrictEqual({ thinkingConfig: { includeThoughts: true, thinkingBudget: 24576 } });
  });

  it("sends no thinkingConfig without reasoning_effort, budget 0 for none, and the model's default budget for an effort it does not know", async () => {
    h.upstream.behave({ reply: { thinking: { text: "weigh the options", signature: "sig" } } });
    const ask = { model: "gem-chat", messages: [{ role: "user" as const, content: "pick one" }] };
    const plain = await client.chat.completions.create(ask);
    expect((plain.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBeUndefined();
    expect(plain.usage?.completion_tokens_details?.reasoning_tokens).toBe(3);
    expect((upstream().body as { generationConfig?: unknown }).generationConfig).toBeUndefined();

    const off = await client.chat.completions.create({ ...ask, reasoning_effort: "none" });
    expect((off.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBeUndefined();
    expect((upstream().body as { generationConfig: unknown }).generationConfig).toStrictEqual({ thinkingConfig: { thinkingBudget: 0 } });

    const later = await client.chat.completions.create({ ...ask, reasoning_effort: "ultra" as OpenAI.ReasoningEffort });
    expect((later.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toBe("weigh the options");
    expect((upstream().body as { generationConfig: unknown }).generationConfig).toStrictEqual({ thinkingConfig: { includeThoughts: true } });
  });

  it("asks a model that cannot stop thinking (Pro) for the smallest budget on minimal, not 0; none is still 0 and Google's 400 is relayed", async () => {
    h.upstream.behave({ reply: { thinking: { text: "weigh the options", signature: "sig" } } });
    const ask = { model: "gem-pro", messages: [{ role: "user" as const, content: "pick one" }] };
    const out = await client.chat.completions.create({ ...ask, reasoning_effort: "minimal" });
    expect([(out.choices[0]!.message as { reasoning_content?: string }).reasoning_content, out.choices[0]!.message.content]).toStrictEqual(["weigh the options", "echo: pick one"]);
    expect(upstream().path).toBe("/v1beta/models/gemini-test-pro:generateContent");
    expect((upstream().body as { generationConfig: unknown }).generationConfig).toStrictEqual({ thinkingConfig: { includeThoughts: true, thinkingBudget: 512 } });

    const off = await client.chat.completions.create({ ...ask, reasoning_effort: "none" }).catch((e: unknown) => e);
    expect(off).toBeInstanceOf(OpenAI.BadRequestError);
    expect((off as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("Budget 0 is invalid. This model only works in thinking mode.");
  });

  it("fits the thinking budget to the client's max_tokens / max_completion_tokens (at most half, not below 512) and sends the cap unchanged, JSON and stream", async () => {
    h.upstream.behave({ reply: { thinking: { text: "weigh the options", signature: "sig" } } });
    const ask = { model: "gem-chat", messages: [{ role: "user" as const, content: "pick one" }] };
    const config = () => (upstream().body as { generationConfig: unknown }).generationConfig;

    const capped = await client.chat.completions.create({ ...ask, reasoning_effort: "high", max_tokens: 4000 });
    expect(capped.choices[0]!.message.content).toBe("echo: pick one");
    expect(config()).toStrictEqual({ maxOutputTokens: 4000, thinkingConfig: { includeThoughts: true, thinkingBudget: 2000 } });

    await client.chat.completions.create({ ...ask, reasoning_effort: "high", max_completion_tokens: 500 });
    expect(config()).toStrictEqual({ maxOutputTokens: 500, thinkingConfig: { includeThoughts: true, thinkingBudget: 512 } });

    await client.chat.completions.create({ ...ask, reasoning_effort: "medium", max_tokens: 100_000 });
    expect(config()).toStrictEqual({ maxOutputTokens: 100_000, thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } });

    const stream = await client.chat.completions.create({ ...ask, reasoning_effort: "high", max_tokens: 3000, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe("echo: pick one");
    expect(upstream().url).toBe("/v1beta/models/gemini-test-flash:streamGenerateContent?alt=sse");
    expect(config()).toStrictEqual({ maxOutputTokens: 3000, thinkingConfig: { includeThoughts: true, thinkingBudget: 1500 } });
  });

  it("relays Google's 400 INVALID_ARGUMENT as a 400 invalid_request_error, once (not retried)", async () => {
    h.upstream.behave({ status: 400, errorMessage: "Invalid value at 'generation_config.temperature'" });
    const err = await client.chat.completions.create({ model: "gem-chat", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.status).toBe(400);
    expect(e.message).toContain("Invalid value at 'generation_config.temperature'");
    expect(e.message).not.toContain(GEMINI_KEY);
    expect(h.upstream.requests.length).toBe(1);
    expect(h.logs.text()).not.toContain(GEMINI_KEY);
  });

  it("treats 429 RESOURCE_EXHAUSTED as retryable: the request falls back to the next deployment", async () => {
    h.upstream.behave({ status: 429 }, { model: "gem-fb-p" });
    const out = await client.chat.completions.create({ model: "gem-fallback", messages: [{ role: "user", content: "x y" }] });
    expect(out.choices[0]!.message.content).toBe("echo: x y");
    const paths = h.upstream.requests.map((r) => r.path);
    expect(paths[0]).toBe("/v1beta/models/gem-fb-p:generateContent");
    expect(paths.at(-1)).toBe("/v1/chat/completions");
  });

  it("serves embeddings through batchEmbedContents, one request per input, dimensions as outputDimensionality", async () => {
    const out = await client.embeddings.create({ model: "gem-embed", input: ["alpha", "beta"], dimensions: 4 });
    // The SDK asked for base64 and decoded it: the vectors arrive as numbers of the requested size.
    expect(out.data.map((d) => [d.index, d.embedding.length])).toStrictEqual([[0, 4], [1, 4]]);
    expect(out.data[0]!.embedding).not.toStrictEqual(out.data[1]!.embedding);
    const sent = upstream();
    expect(sent.url).toBe("/v1beta/models/gemini-embedding-test:batchEmbedContents");
    expect(sent.headers["x-goog-api-key"]).toBe(GEMINI_KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toStrictEqual({
      requests: [
        { model: "models/gemini-embedding-test", content: { parts: [{ text: "alpha" }] }, outputDimensionality: 4 },
        { model: "models/gemini-embedding-test", content: { parts: [{ text: "beta" }] }, outputDimensionality: 4 },
      ],
    });
    const floats = await client.embeddings.create({ model: "gem-embed", input: "alpha", dimensions: 4, encoding_format: "float" });
    expect(floats.data[0]!.embedding).toStrictEqual(out.data[0]!.embedding);
  });

  it("embeds 250 inputs as batchEmbedContents calls of at most 100 (Google's cap), answered as one list in input order", async () => {
    const input = Array.from({ length: 250 }, (_, i) => `text number ${i}`);
    const out = await client.embeddings.create({ model: "gem-embed", input, dimensions: 4, encoding_format: "float" });
    expect(out.data.map((d) => d.index)).toStrictEqual(input.map((_, i) => i));
    const sent = h.upstream.requests.map((r) => (r.body as { requests: Array<{ content: { parts: Array<{ text: string }> } }> }).requests.map((q) => q.content.parts[0]!.text));
    expect(sent.map((texts) => texts.length)).toStrictEqual([100, 100, 50]);
    expect(sent.flat()).toStrictEqual(input);
    // Each vector is the one the same text gets alone: nothing moved between batches.
    for (const i of [0, 99, 100, 199, 200, 249]) {
      const alone = await client.embeddings.create({ model: "gem-embed", input: input[i]!, dimensions: 4, encoding_format: "float" });
      expect(out.data[i]!.embedding).toStrictEqual(alone.data[0]!.embedding);
    }
  });

  it("answers a failing embedding batch as the call's error, without sending the batches after it", async () => {
    h.upstream.behave({ status: 400, errorMessage: "Request payload size exceeds the limit" }, { times: 1 });
    const err = await client.embeddings.create({ model: "gem-embed", input: Array.from({ length: 150 }, (_, i) => `t${i}`) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("Request payload size exceeds the limit");
    expect(h.upstream.requests.length).toBe(1);
  });

  it("refuses token-id embedding input with a 400 naming input, without calling Google", async () => {
    const err = await client.embeddings.create({ model: "gem-embed", input: [[1, 2, 3]] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("input");
    expect(h.upstream.requests.length).toBe(0);
  });

  it("answers an Anthropic Messages request (/v1/messages) through the same adapter", async () => {
    const res = await postJson(`${h.url}/v1/messages`, { model: "gem-chat", max_tokens: 20, system: "Be brief.", messages: [{ role: "user", content: "hi you" }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { type: string; content: Array<{ type: string; text: string }>; stop_reason: string };
    expect([body.type, body.content[0]?.text, body.stop_reason]).toStrictEqual(["message", "echo: hi you", "end_turn"]);
    expect(upstream().url).toBe("/v1beta/models/gemini-test-flash:generateContent");
    expect(upstream().body).toMatchObject({ systemInstruction: { parts: [{ text: "Be brief." }] }, generationConfig: { maxOutputTokens: 20 } });
  });

  it("refuses an http image URL with a 400 naming the field, without calling Google", async () => {
    const err = await client.chat.completions
      .create({ model: "gem-chat", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("messages[0].content[0].image_url.url");
    expect(h.upstream.requests.length).toBe(0);
  });
});

describe("gemini in the default config", () => {
  it("is declared with the gemini-* pattern and Google's URL, unconfigured without GEMINI_API_KEY", () => {
    const { config } = loadConfig({});
    expect(config.providers.gemini).toMatchObject({ type: "gemini", base_url: "https://generativelanguage.googleapis.com", api_key: "", model_patterns: ["gemini-*"] });
  });

  it("takes its key from GEMINI_API_KEY, and no other provider's pattern claims gemini-* names", () => {
    const { config } = loadConfig({ GEMINI_API_KEY: "AIza-from-env" });
    expect(config.providers.gemini?.api_key).toBe("AIza-from-env");
    const others = Object.entries(config.providers).filter(([id]) => id !== "gemini").flatMap(([, p]) => p.model_patterns ?? []);
    expect(others.some((p) => p.startsWith("gemini") || p === "*")).toBe(false);
  });
});

describe("the configuration guide's Gemini example", () => {
  it("is a valid config that sends its model to the gemini provider", () => {
    const guide = readFileSync(fileURLToPath(new URL("../../docs/guides/02-configuration.md", import.meta.url)), "utf8");
    const yaml = /## Google Gemini\n[\s\S]*?```yaml\n([\s\S]*?)```/.exec(guide)![1]!;
    const { config } = parseConfig(`${yaml}tenants: [{ id: t, keys: [sk-t-0123456789abcdef] }]\n`, { GEMINI_API_KEY: GEMINI_KEY });
    expect(config.providers.gemini).toMatchObject({ type: "gemini", base_url: "https://generativelanguage.googleapis.com", api_key: GEMINI_KEY });
    expect(config.models["gemini-flash"]!.deployments).toMatchObject([{ provider: "gemini", model: "gemini-2.5-flash" }]);
  });
});
