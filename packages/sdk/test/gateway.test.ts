import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  createClient,
  isQueued,
  NotFoundError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type QueuedResponse,
  type RunestoneClient,
} from "../src/index";
import { startGateway, type GatewayProcess } from "./gateway-process";

const API_KEY = "sk-runestone-dev";
const MODEL = "mock-echo";

let gateway: GatewayProcess;
let client: RunestoneClient;

beforeAll(async () => {
  gateway = await startGateway();
  client = createClient({ baseUrl: gateway.url, apiKey: API_KEY });
});

afterAll(async () => {
  await gateway?.stop();
});

function completed(result: ChatCompletion | QueuedResponse): ChatCompletion {
  if (isQueued(result)) throw new Error(`unexpectedly queued as ${result.job_id}`);
  return result;
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe("chat.completions.create", () => {
  it("answers a request with only the required params", async () => {
    const result = completed(
      await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hello" }] }),
    );
    expect(result.object).toBe("chat.completion");
    expect(result.choices[0]?.message).toMatchObject({ role: "assistant", content: "echo: hello" });
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(result.usage?.total_tokens).toBeGreaterThan(0);
    expect(result.provider).toBe("mock");
    expect(result.request_id).toMatch(/^req_/);
  });

  it("answers a request with many params and per-call options, echoing our request id", async () => {
    const result = completed(
      await client.chat.completions.create({
        model: MODEL,
        messages: [
          { role: "system", content: "You are terse." },
          { role: "developer", content: [{ type: "text", text: "Answer in English." }] },
          { role: "user", content: "first" },
          { role: "assistant", content: "echo: first" },
          { role: "user", content: [{ type: "text", text: "second question" }] },
        ],
        stream: false,
        temperature: 0.5,
        top_p: 0.9,
        n: 1,
        stop: ["\n\n"],
        max_completion_tokens: 256,
        frequency_penalty: 0.1,
        presence_penalty: 0.1,
        seed: 42,
        logprobs: false,
        logit_bias: { "50256": -100 },
        user: "user-1",
        metadata: { suite: "sdk" },
        response_format: { type: "text" },
        provider: "mock",
        tenant_id: "team-sdk",
        routing_policy: "default",
      },
      { headers: { "x-request-id": "sdk-many-params-1" }, timeout: 30_000, maxRetries: 1 },
      ),
    );
    expect(result.choices[0]?.message.content).toBe("echo: second question");
    expect(result.request_id).toBe("sdk-many-params-1");
    expect(result.routing_policy).toBe("default");
  });

  it("returns the tool call the model made", async () => {
    const result = completed(
      await client.chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "weather in Paris?" }],
        tools: [
          {
            type: "function",
            function: {
              name: "get_weather",
              description: "Current weather",
              parameters: { type: "object", properties: { city: { type: "string" } } },
            },
          },
        ],
        tool_choice: "auto",
      }),
    );
    const call = result.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    expect(result.choices[0]?.finish_reason).toBe("tool_calls");
  });
});

describe("chat.completions.stream", () => {
  it("streams typed chunks: role first, then the text word by word", async () => {
    const stream = await client.chat.completions.stream({
      model: MODEL,
      messages: [{ role: "user", content: "hi there you" }],
    });
    expect(stream.requestId).toMatch(/^req_/);
    expect(stream.response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const chunks = await collect(stream);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks[0]?.provider).toBe("mock");
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("echo: hi there you");
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(2);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.some((c) => c.usage)).toBe(false);
  });

  it("ends with a usage chunk when stream_options.include_usage is set", async () => {
    const chunks = await collect(
      await client.chat.completions.stream({
        model: MODEL,
        messages: [{ role: "user", content: "count me" }],
        stream_options: { include_usage: true },
      }),
    );
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.total_tokens).toBe((last?.usage?.prompt_tokens ?? 0) + (last?.usage?.completion_tokens ?? 0));
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("aborts the request promptly when the consumer breaks out of the loop", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const sent: Request[] = [];
      const spy = createClient({
        baseUrl: gateway.url,
        apiKey: API_KEY,
        fetch: (input, init) => {
          if (input instanceof Request) sent.push(input);
          return fetch(input, init);
        },
      });
      const long = Array.from({ length: 20_000 }, (_, i) => `word${i}`).join(" ");
      const stream = await spy.chat.completions.stream({ model: MODEL, messages: [{ role: "user", content: long }] });
      const started = Date.now();
      let seen = 0;
      for await (const _chunk of stream) {
        if (++seen === 2) break;
      }
      expect(seen).toBe(2);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.signal.aborted).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(unhandled).toEqual([]);
      // The gateway is unharmed and the client still usable.
      expect(completed(await spy.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "after" }] })).choices[0]?.message.content).toBe("echo: after");
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("chat.stream", () => {
  it("streams from /v1/chat/stream and assembles the text with finalText()", async () => {
    const stream = await client.chat.stream({ model: MODEL, messages: [{ role: "user", content: "via the stream route" }] });
    expect(await stream.finalText()).toBe("echo: via the stream route");
  });
});

describe("models", () => {
  it("lists the catalog", async () => {
    const list = await client.models.list();
    expect(list.object).toBe("list");
    expect(list.data.map((m) => m.id)).toContain(MODEL);
  });

  it("tolerates a base URL ending in /v1, the OpenAI habit", async () => {
    const v1 = createClient({ baseUrl: `${gateway.url}/v1/`, apiKey: API_KEY });
    expect((await v1.models.list()).data.length).toBeGreaterThan(0);
  });

  it("retrieves one model", async () => {
    const model = await client.models.retrieve(MODEL);
    expect(model).toMatchObject({ id: MODEL, object: "model", provider: "mock" });
    expect(model.capabilities).toContain("streaming");
  });

  it("throws NotFoundError with code model_not_found for an unknown model", async () => {
    const error = (await client.models.retrieve("no-such-model").catch((e: unknown) => e)) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.status).toBe(404);
    expect(error.code).toBe("model_not_found");
    expect(error.requestId).toMatch(/^req_/);
  });

  it("throws NotFoundError when a chat request names an unknown model", async () => {
    const error = await client.chat.completions
      .create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe("model_not_found");
  });
});

describe("health", () => {
  it("checks health, liveness and readiness without an API key", async () => {
    const anonymous = createClient({ baseUrl: gateway.url });
    expect((await anonymous.health.check()).status).toMatch(/healthy|degraded/);
    expect((await anonymous.health.live()).status).toBe("alive");
    expect(await anonymous.health.ready()).toMatchObject({ ready: true, status: "ready" });
  });
});

describe("errors", () => {
  it("throws AuthenticationError with the request id for a wrong key", async () => {
    const bad = createClient({ baseUrl: gateway.url, apiKey: "sk-wrong" });
    const error = (await bad.models.list().catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.requestId).toMatch(/^req_/);
    expect(error.requestId).toBe(error.headers?.get("x-request-id"));
    expect(error.type).toBe("authentication_error");
  });

  it("throws AuthenticationError on a stream too, before any chunk", async () => {
    const bad = createClient({ baseUrl: gateway.url, apiKey: "sk-wrong" });
    await expect(bad.chat.stream({ model: MODEL, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(
      AuthenticationError,
    );
  });

  it("throws BadRequestError naming the param at fault", async () => {
    const error = (await client.chat.completions
      .create({
        model: MODEL,
        // A role the contract does not know, as an untyped caller might send it.
        messages: [{ role: "robot", content: "x" } as unknown as { role: "user"; content: string }],
      })
      .catch((e: unknown) => e)) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe("messages.0.role");
  });

  it("exposes the raw client, which returns errors instead of throwing", async () => {
    const { data, error, response } = await client.raw.GET("/v1/models/{model}", {
      params: { path: { model: "no-such-model" } },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    expect(error?.error.code).toBe("model_not_found");
  });
});
