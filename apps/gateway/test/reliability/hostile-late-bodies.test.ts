// Reliability, part 8 (continued): a body that completes just after its 408. The JSON is sent but not the
// whitespace the declared length still promises; the gateway answers 408 at server.body_timeout_ms and
// lingers on the connection; the client then sends the rest at once. That late body once reached the routes: the provider was called, the handler failed on
// headers already sent (an error-level log with a stack) and, under an RPM limit, the admission slot it took
// was never released, so two such requests left a tenant with max_concurrent: 2 refused on every route.
// In process (the source, not dist): what matters is the request path, not CPU or memory.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load";
import { startGateway, type RunningGateway } from "../../src/server";
import { createLogger } from "../../src/telemetry/logger";
import { LogCapture, tempSqlitePath } from "../harness";
import { hostileRequest, type Feed, type HostileOutcome } from "./hostile-client";
import { SectionRecorder } from "./results";

const LIMITED_KEY = "sk-rel-late-limited-0123456789";
const OPEN_KEY = "sk-rel-late-open-0123456789";
const BODY_TIMEOUT_MS = 1000;
/** In every late body's prompt, so the upstream's log shows whether one got through. */
const MARKER = "late-body-marker-7f3a";

const yaml = (url: string) => `
server: { host: 127.0.0.1, port: 0, body_timeout_ms: ${BODY_TIMEOUT_MS}, shutdown_grace_ms: 1000 }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 0 }
providers:
  openai: { type: openai, base_url: "${url}/v1", api_key: sk-rel-late-upstream-abcdef }
models:
  gpt-4o-mini: { deployments: [{ provider: openai, model: gpt-4o-mini }] }
  text-embedding-3-small: { capabilities: [embeddings], deployments: [{ provider: openai, model: text-embedding-3-small }] }
tenants:
  - { id: tenant-late-limited, keys: [${LIMITED_KEY}], limits: { max_concurrent: 2, requests_per_minute: 100 } }
  - { id: tenant-late-open, keys: [${OPEN_KEY}] }
`;

const rec = new SectionRecorder("hostile", "late-bodies");
let upstream: MockUpstream;
let gateway: RunningGateway;
const logs = new LogCapture();

beforeAll(async () => {
  upstream = await startMockUpstream();
  const { config } = parseConfig(yaml(upstream.url), {});
  gateway = await startGateway({ config, logger: createLogger("info", logs) });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

interface Route {
  path: string;
  headers: (key: string) => Record<string, string>;
  body: object;
}

const ROUTES: Record<string, Route> = {
  chat: {
    path: "/v1/chat/completions",
    headers: (key) => ({ authorization: `Bearer ${key}` }),
    body: { model: "gpt-4o-mini", messages: [{ role: "user", content: `hello ${MARKER}` }] },
  },
  messages: {
    path: "/v1/messages",
    headers: (key) => ({ "x-api-key": key, "anthropic-version": "2023-06-01" }),
    body: { model: "gpt-4o-mini", max_tokens: 50, messages: [{ role: "user", content: `hello ${MARKER}` }] },
  },
  embeddings: {
    path: "/v1/embeddings",
    headers: (key) => ({ authorization: `Bearer ${key}` }),
    body: { model: "text-embedding-3-small", input: `hello ${MARKER}` },
  },
};

/**
 * The whole JSON now, then trailing whitespace (still part of the declared body) as soon as the answer
 * (the 408) arrives, while the gateway lingers on the connection. What was read before the 408 is valid
 * JSON: a reader that finishes the late body parses it and hands the request on to its route.
 */
const PADDING = 64;
const jsonNowPaddingOnAnswer =
  (body: Buffer): Feed =>
  (socket) => {
    socket.write(body.subarray(0, body.length - PADDING));
    socket.once("data", () => {
      if (socket.writable) socket.write(body.subarray(body.length - PADDING));
    });
  };

function lateBody(route: Route, key: string): Promise<HostileOutcome> {
  const body = Buffer.from(JSON.stringify(route.body) + " ".repeat(PADDING));
  const headers = { "content-type": "application/json", "content-length": String(body.length), ...route.headers(key) };
  const head = `POST ${route.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;
  return hostileRequest(gateway.port, head, jsonNowPaddingOnAnswer(body), 15_000);
}

async function send(route: Route, key: string): Promise<Response> {
  return fetch(`${gateway.url}${route.path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...route.headers(key) },
    body: JSON.stringify({ ...route.body, ...(route === ROUTES.embeddings ? { input: "fine" } : { messages: [{ role: "user", content: "fine" }] }) }),
  });
}

const errorLines = (from: number) => logs.lines.slice(from).filter((l) => /"level":(50|60)/.test(l) || l.includes('"stack"'));
const sawMarker = () => upstream.requests.filter((r) => JSON.stringify(r.body ?? "").includes(MARKER)).length;

describe("a body that completes just after its 408", () => {
  it("never reaches a route, never calls the provider, logs no error and leaks no admission slot", async () => {
    const row = rec.start(
      "body completed just after its 408 (chat, messages, embeddings; a tenant with max_concurrent: 2 and an RPM limit)",
      "408 request_timeout; the late body is dropped: provider never called, no error-level log, and the tenant still gets 2 concurrent requests on every route",
    );
    const logsBefore = logs.lines.length;
    const outcomes: HostileOutcome[] = [];
    // Two per route for the limited tenant (each would have leaked one of its two slots), one for a tenant without limits.
    for (const route of Object.values(ROUTES)) outcomes.push(...(await Promise.all([lateBody(route, LIMITED_KEY), lateBody(route, LIMITED_KEY), lateBody(route, OPEN_KEY)])));
    for (const o of outcomes) {
      expect(o.status, o.text.slice(0, 300)).toBe(408);
      expect(o.text).toContain(`did not arrive within ${BODY_TIMEOUT_MS} ms`);
      expect(o.heldOpen).toBe(false);
    }
    // A late body that got through would be handled within moments of arriving; give it time to show.
    await new Promise((r) => setTimeout(r, 500));
    expect(sawMarker()).toBe(0);
    expect(errorLines(logsBefore)).toEqual([]);
    // Two at once per route: the tenant's whole concurrency, which a leaked slot would cut short (429).
    const statuses: number[] = [];
    for (const route of Object.values(ROUTES)) {
      const pair = await Promise.all([send(route, LIMITED_KEY), send(route, LIMITED_KEY)]);
      for (const r of pair) statuses.push((await r.text(), r.status));
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    row.pass(`${outcomes.length}/${outcomes.length} answered 408 and closed; provider saw none of them; no error-level log; afterwards 2 + 2 + 2 requests of the limited tenant: ${statuses.join(", ")}`);
  });
});
