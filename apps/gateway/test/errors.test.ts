// Bad input gets the right status in OpenAI's error shape: never a 500, an HTML page or a stack trace.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startHarness, TENANT_KEY, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function expectError(res: Response, status: number, type: string, code?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body = (await res.json()) as { error: Record<string, unknown> };
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error.type).toBe(type);
  if (code) expect(body.error.code).toBe(code);
  expect(String(body.error.message)).not.toMatch(/\n\s+at /);
  return body.error;
}

const chat = (h: Harness) => `${h.url}/v1/chat/completions`;
const ok = { model: "mock-echo", messages: [{ role: "user", content: "hi" }] };

/** A POST with no body at all (no content-length, no transfer-encoding), as `curl -X POST` sends it: status and body. */
function bodylessPost(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${TENANT_KEY}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n`);
    });
    let raw = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (raw += d));
    socket.on("end", () => {
      const [head, ...rest] = raw.split("\r\n\r\n");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? "")?.[1]), body: rest.join("\r\n\r\n") });
    });
    socket.on("error", reject);
  });
}

describe("bad input", () => {
  it.each(["/v1/chat/completions", "/v1/chat/stream", "/v1/responses", "/v1/embeddings", "/v1/messages", "/v1/messages/count_tokens"])(
    "answers a POST with no body at all on %s with 400 saying the body is required, never a 500",
    async (path) => {
      const { status, body } = await bodylessPost(h.url, path);
      expect(status).toBe(400);
      // Chunked or not, the last piece is the JSON error (Messages' own shape on /v1/messages*).
      expect(body).toMatch(/"invalid_request_error"/);
      expect(body).toMatch(/required property 'body'/);
    },
  );

  it("answers malformed JSON with 400 invalid_json", async () => {
    await expectError(await postJson(chat(h), '{"model": "mock-echo", "messages": ['), 400, "invalid_request_error", "invalid_json");
  });

  it("answers a missing messages field with 400 naming the parameter", async () => {
    const e = await expectError(await postJson(chat(h), { model: "mock-echo" }), 400, "invalid_request_error");
    expect(String(e.message)).toContain("messages");
  });

  it("answers an empty messages array with 400 naming messages", async () => {
    const e = await expectError(await postJson(chat(h), { model: "mock-echo", messages: [] }), 400, "invalid_request_error");
    expect(e.param).toBe("messages");
  });

  it("answers wrong types with 400 naming the parameter", async () => {
    const e = await expectError(await postJson(chat(h), { ...ok, temperature: "hot" }), 400, "invalid_request_error");
    expect(e.param).toBe("temperature");
    const e2 = await expectError(await postJson(chat(h), { ...ok, messages: [{ role: "user", content: 42 }] }), 400, "invalid_request_error");
    // The field to fix, not the role another oneOf branch would have wanted.
    expect(e2.param).toBe("messages.0.content");
    expect(e2.message).not.toMatch(/allowed values: system/);
  });

  it("answers an unknown role with 400", async () => {
    await expectError(await postJson(chat(h), { model: "mock-echo", messages: [{ role: "wizard", content: "x" }] }), 400, "invalid_request_error");
  });

  it("answers out-of-range values with 400 but accepts large real-API values such as max_tokens 100000", async () => {
    const e = await expectError(await postJson(chat(h), { ...ok, temperature: 3 }), 400, "invalid_request_error");
    expect(e.param).toBe("temperature");
    const res = await postJson(chat(h), { ...ok, max_tokens: 100_000 });
    expect(res.status).toBe(200);
  });

  it("answers a request with neither a model nor routing fields with 400", async () => {
    await expectError(await postJson(chat(h), { messages: [{ role: "user", content: "x" }] }), 400, "invalid_request_error");
  });

  it("answers an unknown model with 404 model_not_found", async () => {
    const e = await expectError(await postJson(chat(h), { ...ok, model: "gpt-9-ultra" }), 404, "not_found_error", "model_not_found");
    expect(e.param).toBe("model");
    await expectError(await fetch(`${h.url}/v1/models/gpt-9-ultra`, { headers: { authorization: `Bearer ${TENANT_KEY}` } }), 404, "not_found_error", "model_not_found");
  });

  it("answers a model whose provider has no key with a clear error, never made-up text", async () => {
    const e = await expectError(await postJson(chat(h), { ...ok, model: "unkeyed-model" }), 400, "invalid_request_error", "provider_not_configured");
    expect(String(e.message)).toMatch(/no API key/);
    expect(h.upstream.requests.filter((r) => (r.body as { model?: string })?.model === "whatever")).toHaveLength(0);
  });

  it("answers a missing key with 401", async () => {
    const res = await fetch(chat(h), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ok) });
    await expectError(res, 401, "authentication_error", "missing_api_key");
  });

  it("answers a wrong key with 401, also on GET routes", async () => {
    await expectError(await postJson(chat(h), ok, { authorization: "Bearer sk-wrong" }), 401, "authentication_error", "invalid_api_key");
    await expectError(await fetch(`${h.url}/v1/models`, { headers: { authorization: "Bearer sk-wrong" } }), 401, "authentication_error");
  });

  it("answers a non-JSON content type with 415", async () => {
    const res = await fetch(chat(h), { method: "POST", headers: { "content-type": "text/plain", authorization: `Bearer ${TENANT_KEY}` }, body: "hello" });
    await expectError(res, 415, "invalid_request_error", "unsupported_media_type");
  });

  it("answers an oversized body with 413", async () => {
    const big = { ...ok, messages: [{ role: "user", content: "x".repeat(2 * 1024 * 1024) }] };
    await expectError(await postJson(chat(h), big), 413, "invalid_request_error", "request_too_large");
  });

  it("answers an unknown path with 404", async () => {
    await expectError(await fetch(`${h.url}/v1/nothing-here`, { headers: { authorization: `Bearer ${TENANT_KEY}` } }), 404, "not_found_error");
    await expectError(await fetch(`${h.url}/nope`), 404, "not_found_error");
  });

  it("answers a wrong method with 405", async () => {
    await expectError(await fetch(chat(h), { method: "GET", headers: { authorization: `Bearer ${TENANT_KEY}` } }), 405, "invalid_request_error", "method_not_allowed");
    await expectError(await fetch(`${h.url}/v1/models`, { method: "DELETE", headers: { authorization: `Bearer ${TENANT_KEY}` } }), 405, "invalid_request_error");
  });

  it("does not echo the rejected key or body in error messages", async () => {
    const res = await postJson(chat(h), { model: "nope-model-secret-text", messages: [{ role: "user", content: "my secret" }] }, { authorization: "Bearer sk-leaky-key-123" });
    const text = await res.text();
    expect(text).not.toContain("sk-leaky-key-123");
    expect(text).not.toContain("my secret");
  });
});

describe("upstream failures", () => {
  it("maps an upstream 401 (our misconfigured key) to 502 with a clear message and no key", async () => {
    h.upstream.behave({ status: 401 }, { times: 1 });
    const e = await expectError(await postJson(chat(h), { ...ok, model: "gpt-4o-mini" }), 502, "service_error");
    expect(String(e.message)).toMatch(/credentials|API key/);
  });

  it("maps an upstream 400 to 400 and keeps the upstream's message", async () => {
    h.upstream.behave({ status: 400, errorMessage: "context_length_exceeded: too long" }, { times: 1 });
    const e = await expectError(await postJson(chat(h), { ...ok, model: "gpt-4o-mini" }), 400, "invalid_request_error");
    expect(String(e.message)).toContain("too long");
  });

  it("falls back to the next deployment when the first answers 500", async () => {
    h.upstream.reset();
    h.upstream.behave({ status: 500 }, { times: 1, model: "primary-model" });
    const res = await postJson(chat(h), { ...ok, model: "gpt-4o-fallback" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect(res.headers.get("x-runestone-fallbacks")).toBe("1");
    const body = (await res.json()) as { provider: string };
    expect(body.provider).toBe("backup");
  });

  it("does not fall back on an upstream 400", async () => {
    h.upstream.reset();
    h.upstream.behave({ status: 400 }, { times: 1, model: "primary-model" });
    const res = await postJson(chat(h), { ...ok, model: "gpt-4o-fallback" });
    expect(res.status).toBe(400);
    expect(h.upstream.requests).toHaveLength(1);
  });

  it("maps an upstream that stalls before its headers to 504 upstream_timeout", async () => {
    h.upstream.behave({ stall: "before-headers" }, { times: 1 });
    await expectError(await postJson(chat(h), { ...ok, model: "gpt-4o-mini" }), 504, "service_error", "upstream_timeout");
  });
});
