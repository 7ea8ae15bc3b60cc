// The headers stages decide before the answer (request id, routing policy, cache status, x-ratelimit-*) are
// held in the request context and folded into the head (core/held-headers.ts, http/fold-held-headers.ts).
// Production writes chat JSON answers and most errors in one writeHead; with response validation (tests)
// they go through Express's res.json. Both must put the same headers in the same order on the wire, and every
// answer carries x-request-id (Messages: request-id too), errors and 429s with their x-ratelimit-* included.
import { request } from "node:http";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, TENANT_KEY, testConfigYaml } from "./harness";

const LIMITED_KEY = "sk-test-limited-0123456789";
const extra = `  - id: tenant-limited
    keys: [${LIMITED_KEY}]
    limits: { requests_per_minute: 1 }
`;

let upstream: MockUpstream;
let plain: RunningGateway;
let validated: RunningGateway;
beforeAll(async () => {
  upstream = await startMockUpstream();
  const start = (validateResponses: boolean) => {
    const { config } = parseConfig(testConfigYaml(upstream.url, extra), {});
    return startGateway({ config, logger: createLogger("info", new LogCapture()), validateResponses });
  };
  [plain, validated] = await Promise.all([start(false), start(true)]);
});
afterAll(async () => {
  await plain?.close();
  await validated?.close();
  await upstream?.close();
});

interface Head {
  status: number;
  /** `name: value`, names in lowercase (res.json spells Content-Type as Express does), in wire order; times masked. */
  head: string[];
}

function ask(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Head> {
  const url = new URL(path, base);
  const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const h: Record<string, string | number> = { authorization: `Bearer ${TENANT_KEY}`, "x-request-id": "held-1", ...headers };
  if (text !== undefined) Object.assign(h, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: url.pathname, headers: h, agent: false }, (res) => {
      res.resume();
      res.on("end", () => {
        const head: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          if (name === "date") continue;
          head.push(`${name}: ${/overhead-ms|ratelimit-reset/.test(name) ? "T" : res.rawHeaders[i + 1]}`);
        }
        resolve({ status: res.statusCode!, head });
      });
    });
    req.on("error", reject);
    req.end(text);
  });
}

const chat = (extra: Record<string, unknown> = {}) => ({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], ...extra });
const names = (h: Head) => h.head.map((l) => l.slice(0, l.indexOf(":")));

describe("held headers on the wire", () => {
  const cases: Array<[string, string, string, unknown?, Record<string, string>?]> = [
    ["chat JSON", "POST", "/v1/chat/completions", chat()],
    ["chat JSON, request_id in the body", "POST", "/v1/chat/completions", chat({ request_id: "from-body" })],
    ["chat stream", "POST", "/v1/chat/completions", chat({ stream: true })],
    ["invalid body", "POST", "/v1/chat/completions", { model: "gpt-4o-mini" }],
    ["unknown model", "POST", "/v1/chat/completions", chat({ model: "no-such-model" })],
    ["no key", "POST", "/v1/chat/completions", chat(), { authorization: "" }],
    ["unknown route", "GET", "/v1/nothing-here"],
    ["HEAD of an unknown route", "HEAD", "/v1/nothing-here"],
    ["Messages answer", "POST", "/v1/messages", { model: "gpt-4o-mini", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }],
    ["Messages error", "POST", "/v1/messages", { model: "gpt-4o-mini" }],
  ];
  it.each(cases)("%s: the same head with and without response validation", async (_name, method, path, body, headers) => {
    const a = await ask(validated.url, method, path, body, headers);
    const b = await ask(plain.url, method, path, body, headers);
    expect(b).toEqual(a);
    const id = body && typeof body === "object" && "request_id" in body ? "from-body" : "held-1";
    expect(b.head[0]).toBe(`x-request-id: ${id}`);
    if (path.startsWith("/v1/messages")) expect(b.head[1]).toBe(`request-id: ${id}`);
  });

  it("puts the held headers first on a chat answer, then the answer's own", async () => {
    const b = await ask(plain.url, "POST", "/v1/chat/completions", chat());
    expect(names(b).slice(0, 10)).toEqual([
      "x-request-id",
      "x-runestone-routing-policy",
      "x-runestone-cache",
      "x-runestone-provider",
      "x-runestone-model",
      "x-runestone-fallbacks",
      "x-runestone-overhead-ms",
      "x-runestone-cost",
      "content-type",
      "content-length",
    ]);
    const err = await ask(plain.url, "GET", "/v1/nothing-here");
    expect(err.status).toBe(404);
    expect(names(err).slice(0, 3)).toEqual(["x-request-id", "content-type", "content-length"]);
  });

  it("keeps x-ratelimit-* on an admitted answer and on the 429 that follows, before retry-after", async () => {
    for (const base of [plain.url, validated.url]) {
      const ok = await ask(base, "POST", "/v1/chat/completions", chat(), { authorization: `Bearer ${LIMITED_KEY}` });
      expect(ok.status).toBe(200);
      expect(names(ok).slice(0, 6)).toEqual(["x-request-id", "x-runestone-routing-policy", "x-runestone-cache", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"]);
      const refused = await ask(base, "POST", "/v1/chat/completions", chat(), { authorization: `Bearer ${LIMITED_KEY}` });
      expect(refused.status).toBe(429);
      expect(refused.head.slice(0, 9)).toEqual([
        "x-request-id: held-1",
        "x-runestone-routing-policy: default",
        "x-runestone-cache: bypass",
        "x-ratelimit-limit-requests: 1",
        "x-ratelimit-remaining-requests: 0",
        "x-ratelimit-reset-requests: T",
        expect.stringMatching(/^retry-after: \d+$/),
        "content-type: application/json; charset=utf-8",
        expect.stringMatching(/^content-length: \d+$/),
      ]);
    }
  });
});
