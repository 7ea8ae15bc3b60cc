import { afterEach, describe, expect, it } from "vitest";
import {
  APIConnectionError,
  BadRequestError,
  createClient,
  InternalServerError,
  isQueued,
  RateLimitError,
  StreamError,
  type ChatCompletion,
  type QueuedResponse,
} from "../src/index";
import { chatBody, completion, errorBody, sendJson, sseChunk, startLocalServer, type LocalServer } from "./local-server";

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Parameters<typeof startLocalServer>[0]) {
  server = await startLocalServer(handler);
  return server;
}

function assistantText(result: ChatCompletion | QueuedResponse) {
  if (isQueued(result)) throw new Error("unexpectedly queued");
  return result.choices[0]?.message.content;
}

describe("retries", () => {
  it("waits the Retry-After seconds of a 429, then succeeds", async () => {
    const s = await serve((_req, res, i) =>
      i === 0
        ? sendJson(res, 429, errorBody("slow down", "rate_limit_error", "rate_limit_exceeded"), { "retry-after": "1" })
        : sendJson(res, 200, completion),
    );
    const client = createClient({ baseUrl: s.url, apiKey: "k" });
    const started = Date.now();
    expect(assistantText(await client.chat.completions.create(chatBody))).toBe("ok");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(s.seen).toHaveLength(2);
  });

  it("retries a 500 twice with exponential backoff, then succeeds", async () => {
    const s = await serve((_req, res, i) =>
      i < 2 ? sendJson(res, 500, errorBody("oops")) : sendJson(res, 200, completion),
    );
    const client = createClient({ baseUrl: s.url, apiKey: "k" });
    const started = Date.now();
    expect(assistantText(await client.chat.completions.create(chatBody))).toBe("ok");
    const elapsed = Date.now() - started;
    // 500 ms then 1 s, each less at most 25 % jitter.
    expect(elapsed).toBeGreaterThanOrEqual(1100);
    expect(elapsed).toBeLessThan(3000);
    expect(s.seen).toHaveLength(3);
  });

  it("sends the same body and headers on every try", async () => {
    const s = await serve((_req, res, i) =>
      i === 0 ? sendJson(res, 503, errorBody("busy"), { "retry-after-ms": "5" }) : sendJson(res, 200, completion),
    );
    const client = createClient({ baseUrl: s.url, apiKey: "sk-test", headers: { "x-team": "search" } });
    await client.chat.completions.create(chatBody);
    expect(s.seen).toHaveLength(2);
    for (const req of s.seen) {
      expect(req.method).toBe("POST");
      expect(req.url).toBe("/v1/chat/completions");
      expect(req.headers.authorization).toBe("Bearer sk-test");
      expect(req.headers["x-team"]).toBe("search");
      expect(req.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(req.body)).toEqual(chatBody);
    }
  });

  it("does not retry when maxRetries is 0", async () => {
    const s = await serve((_req, res) => sendJson(res, 500, errorBody("oops")));
    const client = createClient({ baseUrl: s.url, apiKey: "k", maxRetries: 0 });
    const error = await client.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).requestId).toBe("req_local_500");
    expect(s.seen).toHaveLength(1);
  });

  it("lets one call override maxRetries", async () => {
    const s = await serve((_req, res) => sendJson(res, 502, errorBody("bad gateway"), { "retry-after-ms": "1" }));
    const client = createClient({ baseUrl: s.url, apiKey: "k", maxRetries: 0 });
    await expect(client.models.list({ maxRetries: 3 })).rejects.toBeInstanceOf(InternalServerError);
    expect(s.seen).toHaveLength(4);
  });

  it("throws the last error once retries are exhausted", async () => {
    const s = await serve((_req, res, i) =>
      sendJson(res, 429, errorBody(`limit ${i}`, "rate_limit_error", "rate_limit_exceeded"), { "retry-after-ms": "5" }),
    );
    const client = createClient({ baseUrl: s.url, apiKey: "k" });
    const error = (await client.models.list().catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.message).toBe("429 limit 2");
    expect(error.retryAfter).toBe(0.005);
    expect(s.seen).toHaveLength(3);
  });

  it("does not wait for a Retry-After longer than maxRetryDelay and throws RateLimitError with retryAfter", async () => {
    const s = await serve((_req, res) =>
      sendJson(res, 429, errorBody("later", "rate_limit_error", "rate_limit_exceeded"), { "retry-after": "120" }),
    );
    const client = createClient({ baseUrl: s.url, apiKey: "k", maxRetryDelay: 10_000 });
    const error = (await client.models.list().catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfter).toBe(120);
    expect(s.seen).toHaveLength(1);
  });

  it("never retries a 400", async () => {
    const s = await serve((_req, res) => sendJson(res, 400, errorBody("bad", "invalid_request_error", "invalid_value")));
    const client = createClient({ baseUrl: s.url, apiKey: "k" });
    await expect(client.chat.completions.create(chatBody)).rejects.toBeInstanceOf(BadRequestError);
    expect(s.seen).toHaveLength(1);
  });

  it("retries a refused connection, then throws APIConnectionError", async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close();
    server = undefined;
    const client = createClient({ baseUrl: url, apiKey: "k", maxRetries: 1 });
    const started = Date.now();
    const error = await client.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APIConnectionError).status).toBeUndefined();
    expect((error as Error).cause).toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });

  it("retries through the raw client too, which returns errors instead of throwing", async () => {
    const s = await serve((_req, res, i) =>
      i === 0 ? sendJson(res, 500, errorBody("oops"), { "retry-after-ms": "1" }) : sendJson(res, 404, errorBody("nope")),
    );
    const client = createClient({ baseUrl: s.url, apiKey: "k" });
    const { data, error, response } = await client.raw.GET("/v1/models/{model}", {
      params: { path: { model: "x" } },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    expect(error?.error.message).toBe("nope");
    expect(s.seen).toHaveLength(2);
  });

  it("retries a stream refused before its first byte", async () => {
    const s = await serve((_req, res, i) => {
      if (i === 0) return sendJson(res, 503, errorBody("busy"), { "retry-after-ms": "1" });
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`${sseChunk("fine")}data: [DONE]\n\n`);
    });
    const client = createClient({ baseUrl: s.url, apiKey: "k" });
    expect(await (await client.chat.stream(chatBody)).finalText()).toBe("fine");
    expect(s.seen).toHaveLength(2);
    expect(JSON.parse(s.seen[1]!.body)).toEqual({ ...chatBody, stream: true });
  });

  it("never retries a stream after its first byte", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sseChunk("partial"));
      setTimeout(() => res.destroy(), 20);
    });
    const client = createClient({ baseUrl: s.url, apiKey: "k" });
    const stream = await client.chat.completions.stream(chatBody);
    const error = await stream.finalText().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect(s.seen).toHaveLength(1);
  });
});

describe("202 Accepted", () => {
  it("returns the QueuedResponse, recognised by isQueued", async () => {
    const queued = { message: "queued", job_id: "job_1", request_id: "req_1", estimated_wait_time: 5 };
    const s = await serve((_req, res) => sendJson(res, 202, queued));
    const client = createClient({ baseUrl: s.url, apiKey: "k" });
    const result = await client.chat.completions.create(chatBody);
    expect(isQueued(result)).toBe(true);
    if (isQueued(result)) expect(result.job_id).toBe("job_1");
  });
});
