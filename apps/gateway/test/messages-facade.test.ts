// The Anthropic facade as Anthropic's own clients see it (issue 16): structured outputs on translated models,
// the prompt count in a translated stream's message_start, 529 for overloaded, the request-id header, and
// embeddings models refused on every chat route before any upstream call.
import Anthropic from "@anthropic-ai/sdk";
import { jsonSchemaOutputFormat } from "@anthropic-ai/sdk/helpers/json-schema";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, startHarness, TENANT_KEY, testConfigYaml, type Harness } from "./harness";
import { interopConfigYaml } from "./messages-test-config";

let h: Harness;
let client: Anthropic;
beforeAll(async () => {
  h = await startHarness({ configYaml: interopConfigYaml });
  client = new Anthropic({ baseURL: h.url, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const upstream = (i = -1) => h.upstream.requests.at(i)!;
const user = (content: string) => [{ role: "user" as const, content }];
const echoSchema = { type: "object", properties: { echo: { type: "string" } }, required: ["echo"], additionalProperties: false } as const;

/** The `data` of each event of an Anthropic SSE body, by event name. */
function events(sse: string): Array<{ event: string; data: Record<string, unknown> }> {
  return [...sse.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ event: m[1]!, data: JSON.parse(m[2]!) as Record<string, unknown> }));
}

describe("structured outputs (output_config.format) on /v1/messages", () => {
  it("reach an OpenAI model as a strict json_schema response_format, and messages.parse reads the answer", async () => {
    const message = await client.messages.parse({ model: "gpt-4o-mini", max_tokens: 100, messages: user("hello"), output_config: { format: jsonSchemaOutputFormat(echoSchema) } });
    expect(message.parsed_output).toStrictEqual({ echo: "hello" });
    expect(upstream().path).toBe("/v1/chat/completions");
    const sent = upstream().body as { response_format: unknown; output_config?: unknown };
    expect(sent.response_format).toStrictEqual({ type: "json_schema", json_schema: { name: "output", schema: expect.objectContaining({ type: "object", required: ["echo"] }), strict: true } });
    expect(sent.output_config).toBeUndefined();
  });

  it("reach a streamed translation too", async () => {
    const res = await postJson(`${h.url}/v1/messages`, { model: "gpt-4o-mini", max_tokens: 100, stream: true, messages: user("hi"), output_config: { format: { type: "json_schema", schema: echoSchema } } });
    expect(res.status).toBe(200);
    await res.text();
    expect((upstream().body as { response_format?: { type: string } }).response_format?.type).toBe("json_schema");
  });

  it("pass through untouched to an Anthropic model", async () => {
    const output_config = { format: { type: "json_schema" as const, schema: echoSchema }, effort: "low" as const };
    await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 100, messages: user("hi"), output_config });
    expect(upstream().path).toBe("/v1/messages");
    expect(upstream().body).toMatchObject({ output_config });
    expect((upstream().body as Record<string, unknown>).response_format).toBeUndefined();
  });

  it("never fall back to a translated deployment that would ignore them", async () => {
    // claude-with-fallback: Anthropic first, then an OpenAI deployment; the model has no json_mode capability.
    const body = { model: "claude-with-fallback", max_tokens: 100, messages: user("hi"), output_config: { format: { type: "json_schema", schema: echoSchema } } };
    expect((await postJson(`${h.url}/v1/messages`, body)).status).toBe(200);
    expect(upstream().path).toBe("/v1/messages");
    h.upstream.reset();
    h.upstream.behave({ status: 529 }, { model: "claude-primary" });
    const overloaded = await postJson(`${h.url}/v1/messages`, body);
    expect(overloaded.status).toBe(529);
    expect(h.upstream.requests.map((r) => r.path)).toStrictEqual(["/v1/messages"]);
    // Without structured outputs the same request falls back as before.
    const { output_config: _, ...plain } = body;
    expect((await postJson(`${h.url}/v1/messages`, plain)).headers.get("x-runestone-fallbacks")).toBe("1");
  });

  it("are refused with a 400 naming the field for a model that cannot honour them, without an upstream call", async () => {
    // mock-echo has no json_mode capability in this config.
    const err = await client.messages.create({ model: "mock-echo", max_tokens: 100, messages: user("hi"), output_config: { format: { type: "json_schema", schema: echoSchema } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("output_config.format") } });

    const unknownType = await postJson(`${h.url}/v1/messages`, { model: "gpt-4o-mini", max_tokens: 100, messages: user("hi"), output_config: { format: { type: "regex", pattern: "a+" } } });
    expect(unknownType.status).toBe(400);
    expect(((await unknownType.json()) as { error: { message: string } }).error.message).toContain("output_config.format");
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe("structured outputs on Bedrock", () => {
  let b: Harness;
  beforeAll(async () => {
    b = await startHarness({
      configYaml: (u) =>
        testConfigYaml(u)
          .replace("providers:\n", `providers:\n  aws: { type: bedrock, region: eu-west-3, base_url: ${u}, access_key_id: AKIDEXAMPLEFACADE01, secret_access_key: facade-secret-0123456789 }\n`)
          .replace("models:\n", `models:\n  br-json:\n    capabilities: [chat, streaming, json_mode]\n    deployments: [{ provider: aws, model: anthropic.claude-3-haiku-20240307-v1:0 }]\n`),
    });
  });
  afterAll(() => b.close());

  it("reach Bedrock as Converse structured output (outputConfig.textFormat), and the answer is the JSON text", async () => {
    const res = await postJson(`${b.url}/v1/messages`, { model: "br-json", max_tokens: 50, messages: user("hi"), output_config: { format: { type: "json_schema", schema: echoSchema } } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { content: Array<{ type: string; text: string }> };
    expect(JSON.parse(body.content[0]!.text)).toStrictEqual({ echo: "hi" });
    const sent = b.upstream.requests.at(-1)!.body as { outputConfig: { textFormat: { type: string; structure: { jsonSchema: { schema: string } } } } };
    expect(sent.outputConfig.textFormat.type).toBe("json_schema");
    expect(JSON.parse(sent.outputConfig.textFormat.structure.jsonSchema.schema)).toMatchObject({ type: "object", required: ["echo"] });
  });
});

describe("usage in a translated stream", () => {
  it("puts the prompt estimate in message_start and the exact counts in message_delta", async () => {
    const prompt = "one two three four five six seven eight nine ten ".repeat(20);
    // The upstream's exact counts, far from the estimate, so each can be told apart.
    h.upstream.behave({ usage: { prompt_tokens: 321, completion_tokens: 45 } });
    const res = await postJson(`${h.url}/v1/messages`, { model: "gpt-4o-mini", max_tokens: 1000, stream: true, messages: user(prompt) });
    const evs = events(await res.text());
    const start = evs.find((e) => e.event === "message_start")!.data as { message: { usage: { input_tokens: number; output_tokens: number } } };
    // The estimate admission uses: ~4 characters per token plus per-message overhead (core/estimate-tokens.ts).
    expect(start.message.usage.input_tokens).toBeGreaterThanOrEqual(Math.ceil(prompt.length / 4));
    expect(start.message.usage.input_tokens).toBeLessThan(Math.ceil(prompt.length / 4) + 20);
    expect(start.message.usage.output_tokens).toBe(0);
    const delta = evs.find((e) => e.event === "message_delta")!.data as { usage: { input_tokens: number; output_tokens: number } };
    expect(delta.usage).toMatchObject({ input_tokens: 321, output_tokens: 45 });
  });

  it("keeps the estimates in message_delta when the upstream reports no usage, and accounts them as estimates", async () => {
    // llama-3.3-70b's provider has the no_stream_options quirk: its stream carries no usage at all.
    const res = await postJson(`${h.url}/v1/messages`, { model: "llama-3.3-70b", max_tokens: 100, stream: true, messages: user("one two three four") }, { "x-request-id": "no-usage-stream-1" });
    const evs = events(await res.text());
    expect((upstream().body as Record<string, unknown>).stream_options).toBeUndefined();
    const start = (evs.find((e) => e.event === "message_start")!.data as { message: { usage: { input_tokens: number } } }).message.usage;
    const delta = (evs.find((e) => e.event === "message_delta")!.data as { usage: { input_tokens: number; output_tokens: number } }).usage;
    expect(delta.input_tokens).toBe(start.input_tokens);
    // "echo: one two three four" is 24 characters: 6 tokens at about four characters each.
    expect(delta.output_tokens).toBe(6);
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      line = h.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.request_id === "no-usage-stream-1" && l.status !== undefined);
      if (!line) await new Promise((r) => setTimeout(r, 20));
    }
    expect(line).toMatchObject({ tokens_estimated: true, prompt_tokens: start.input_tokens, completion_tokens: 6 });
  });

  it("reaches the Anthropic SDK's final message with the exact counts", async () => {
    h.upstream.behave({ usage: { prompt_tokens: 321, completion_tokens: 45 } });
    const stream = client.messages.stream({ model: "gpt-4o-mini", max_tokens: 100, messages: user("a b c d") });
    let startInput: number | undefined;
    stream.on("streamEvent", (e) => {
      if (e.type === "message_start") startInput = e.message.usage.input_tokens;
    });
    const message = await stream.finalMessage();
    expect(startInput).toBeGreaterThan(0);
    expect(startInput).not.toBe(321);
    expect(message.usage).toMatchObject({ input_tokens: 321, output_tokens: 45 });
  });
});

describe("an overloaded upstream on /v1/messages", () => {
  it("answers Anthropic's 529 overloaded_error, which the Anthropic SDK raises as OverloadedError", async () => {
    h.upstream.behave({ status: 529 }, { times: 1 });
    const err = await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 10, messages: user("hi") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.OverloadedError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    expect((err as InstanceType<typeof Anthropic.APIError>).headers?.get("retry-after")).toMatch(/^\d+$/);
  });

  it("answers 529 when every candidate was overloaded after the fallbacks, streamed and not", async () => {
    h.upstream.behave({ status: 529 });
    const res = await postJson(`${h.url}/v1/messages`, { model: "claude-twice", max_tokens: 10, messages: user("hi") });
    expect(res.status).toBe(529);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("overloaded_error");
    expect(h.upstream.requests.map((r) => (r.body as { model: string }).model)).toStrictEqual(["claude-first", "claude-second"]);

    const streamed = await postJson(`${h.url}/v1/messages`, { model: "claude-twice", max_tokens: 10, stream: true, messages: user("hi") });
    expect(streamed.status).toBe(529);
    expect(streamed.headers.get("content-type")).toMatch(/application\/json/);
  });

  it("answers 529 for an OpenAI-shaped upstream's 503 too, while the chat route keeps 503", async () => {
    h.upstream.behave({ status: 503 });
    const messages = await postJson(`${h.url}/v1/messages`, { model: "gpt-4o-mini", max_tokens: 10, messages: user("hi") });
    expect(messages.status).toBe(529);
    const chat = await postJson(`${h.url}/v1/chat/completions`, { model: "claude-sonnet-4-5", messages: user("hi") });
    expect(chat.status).toBe(503);
    expect(((await chat.json()) as { error: { type: string } }).error.type).toBe("overloaded_error");
  });
});

describe("the request-id header", () => {
  it("is the request id on a success, which the SDK exposes as _request_id", async () => {
    const { data, response, request_id } = await client.messages.create({ model: "gpt-4o-mini", max_tokens: 10, messages: user("hi") }).withResponse();
    expect(data.type).toBe("message");
    expect(request_id).toMatch(/^req_/);
    expect(response.headers.get("request-id")).toBe(response.headers.get("x-request-id"));
  });

  it("is on errors, which the SDK exposes as err.requestID, and on streams", async () => {
    const err = (await client.messages.create({ model: "no-such-model", max_tokens: 10, messages: user("hi") }).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.requestID).toMatch(/^req_/);
    expect(err.requestID).toBe(err.headers?.get("x-request-id"));

    const unauthenticated = await fetch(`${h.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get("request-id")).toBe(unauthenticated.headers.get("x-request-id"));

    const stream = await postJson(`${h.url}/v1/messages`, { model: "gpt-4o-mini", max_tokens: 10, stream: true, messages: user("hi") }, { "x-request-id": "my-trace-7" });
    expect(stream.headers.get("content-type")).toMatch(/text\/event-stream/);
    expect(stream.headers.get("request-id")).toBe("my-trace-7");
    await stream.text();
  });

  it("is readable by a browser client of an allowed origin", async () => {
    const withCors = await startHarness({ configYaml: (u) => interopConfigYaml(u).replace("shutdown_grace_ms: 2000 }", 'shutdown_grace_ms: 2000, cors: { origins: ["https://app.example"] } }') });
    try {
      const res = await postJson(`${withCors.url}/v1/messages`, { model: "mock-echo", max_tokens: 10, messages: user("hi") }, { origin: "https://app.example" });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-expose-headers")?.split(/,\s*/)).toContain("request-id");
      expect(res.headers.get("request-id")).toMatch(/^req_/);
    } finally {
      await withCors.close();
    }
  });

  it("is not added to the OpenAI routes", async () => {
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "mock-echo", messages: user("hi") });
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("request-id")).toBeNull();
  });
});

describe("an embeddings model on a chat route", () => {
  it.each([
    ["/v1/chat/completions", { messages: user("hi") }],
    ["/v1/chat/stream", { messages: user("hi") }],
    ["/v1/chat/completions", { messages: user("hi"), routing_policy: "cost" }],
  ])("is refused on %s with OpenAI's 400 naming model, without an upstream call", async (path, extra) => {
    const res = await postJson(`${h.url}${path}`, { model: "text-embedding-3-small", ...extra });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { type: string; code: string; param: string; message: string } };
    expect(error).toMatchObject({ type: "invalid_request_error", code: "model_not_supported", param: "model" });
    expect(error.message).toContain("is an embeddings model");
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("is refused on /v1/messages in Anthropic's shape, without an upstream call", async () => {
    const err = (await client.messages.create({ model: "text-embedding-3-small", max_tokens: 10, messages: user("hi") }).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.error).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("is an embeddings model") } });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("while a chat model on /v1/embeddings is refused likewise, also under the cost policy", async () => {
    for (const extra of [{}, { routing_policy: "cost" }]) {
      const res = await postJson(`${h.url}/v1/embeddings`, { model: "gpt-4o-mini", input: "x", ...extra });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: "model_not_supported", param: "model" });
    }
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("still serves embeddings under the cost policy", async () => {
    const res = await postJson(`${h.url}/v1/embeddings`, { model: "text-embedding-3-small", input: "x", routing_policy: "cost" });
    expect(res.status).toBe(200);
  });
});
