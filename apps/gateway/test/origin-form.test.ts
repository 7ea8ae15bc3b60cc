// A request target in absolute form (`POST http://host/v1/chat/completions HTTP/1.1`) or with a raw `#fragment` is
// routed, validated and answered as the same request in origin form: an invalid body is a 400 in the route's
// error shape naming the field (never a 500 from a handler that met an unvalidated body), a valid one a 200.
// Raw requests over http.request with the target as the path, against a real gateway.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, TENANT_KEY, type Harness } from "./harness";
import { templateOf, undeclared, type Seen } from "./status-recorder";

let h: Harness;
const seen: Seen[] = [];
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** Sends `target` as the request-target, as is. */
function raw(method: string, target: string, body?: unknown): Promise<Answer> {
  const { hostname, port } = new URL(h.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method,
        path: target,
        headers: { authorization: `Bearer ${TENANT_KEY}`, ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          expect(res.headers["content-type"], text).toMatch(/application\/json/);
          const path = target.replace(/^[a-z]+:\/\/[^/?#]*/i, "").replace(/#.*$/, "") || "/";
          seen.push({ method, template: templateOf(path), path, status: res.statusCode!, headers: new Headers() });
          resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const chatOk = { model: "mock-echo", messages: [{ role: "user", content: "hi" }] };
const messagesOk = { model: "mock-echo", max_tokens: 50, messages: [{ role: "user", content: "hi" }] };

function expectOpenAiError(a: Answer, status: number): Record<string, unknown> {
  expect(a.status).toBe(status);
  const error = a.body.error as Record<string, unknown>;
  expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(error.type).toBe("invalid_request_error");
  return error;
}

function expectAnthropicError(a: Answer, status: number): Record<string, unknown> {
  expect(a.status).toBe(status);
  expect(a.body.type).toBe("error");
  const error = a.body.error as Record<string, unknown>;
  expect(error.type).toBe("invalid_request_error");
  expect(a.headers["request-id"]).toBe(a.headers["x-request-id"]);
  return error;
}

const targets = (path: string) => [
  ["absolute form", `http://127.0.0.1:1${path}`],
  ["absolute form naming another host", `HTTP://elsewhere.example:8443${path}`],
  ["a #fragment", `${path}#x`],
  ["absolute form and a #fragment", `http://elsewhere.example${path}#frag?x=1`],
] as const;

describe.each(targets("/v1/chat/completions"))("chat completions with %s", (_what, target) => {
  it("answers an invalid body with a 400 in OpenAI's shape naming the field", async () => {
    const missing = expectOpenAiError(await raw("POST", target, { model: "mock-echo" }), 400);
    expect(String(missing.message)).toContain("messages");
    const wrongType = expectOpenAiError(await raw("POST", target, { ...chatOk, temperature: "hot" }), 400);
    expect(wrongType.param).toBe("temperature");
  });

  it("answers a valid body with a 200 completion", async () => {
    const a = await raw("POST", target, chatOk);
    expect(a.status).toBe(200);
    expect(a.body.object).toBe("chat.completion");
  });
});

describe.each(targets("/v1/messages"))("messages with %s", (_what, target) => {
  it("answers an invalid body with a 400 in Anthropic's shape naming the field", async () => {
    const error = expectAnthropicError(await raw("POST", target, { model: "mock-echo", max_tokens: 50 }), 400);
    expect(String(error.message)).toContain("messages");
  });

  it("answers a valid body with a 200 message", async () => {
    const a = await raw("POST", target, messagesOk);
    expect(a.status).toBe(200);
    expect(a.body.type).toBe("message");
    expect(a.headers["request-id"]).toBe(a.headers["x-request-id"]);
  });
});

describe("the query of an absolute-form target", () => {
  it("is kept and validated like the origin form's", async () => {
    const origin = await raw("POST", "/v1/chat/completions?bogus=1", chatOk);
    const absolute = await raw("POST", "http://elsewhere.example/v1/chat/completions?bogus=1", chatOk);
    expect(absolute.status).toBe(origin.status);
    expect(absolute.body.error).toEqual(origin.body.error);
  });

  it("reaches the GET routes too", async () => {
    const a = await raw("GET", "http://elsewhere.example/v1/models#f");
    expect(a.status).toBe(200);
    expect(a.body.object).toBe("list");
  });
});

describe("every status answered above", () => {
  it("is declared for its operation in the spec", () => {
    expect(seen.length).toBeGreaterThan(0);
    expect(undeclared(seen)).toEqual([]);
  });
});
