// Reliability, part 2: fuzzing the live gateway (the built server in its own process) with fast-check.
// Every route that takes input gets hostile requests; none may answer 500 or more, the process must
// keep answering /health/live, its memory must stay within a bound, and no request may make it log
// an unhandled error. Seeds are fixed so that a failure replays; counts go to the results table.
import fc from "fast-check";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempSqlitePath } from "../harness";
import { freePort } from "../redis-server";
import { authHeader, bodyRequest, describeRequest, pathRequest, routeHeaders, type BodyTemplate, type FuzzRequest } from "./fuzz-inputs";
import { spawnGateway, writeConfig, type ProcessGateway } from "./process-gateway";
import { rawRequest } from "./raw-http";
import { SectionRecorder } from "./results";

const TENANT_KEY = "sk-rel-fuzz-tenant-0123456789";
const ADMIN_KEY = "sk-rel-fuzz-admin-0123456789abcdef";
/** Bodies of several MB among the inputs grow the heap V8 keeps; a leak would grow it per request. */
const RSS_BOUND_MB = 128;
/** Runs per route (scaled by each route's weight); the whole file stays around a quarter of a minute on a 2-core machine. */
const RUNS = Number(process.env.RUNESTONE_FUZZ_RUNS ?? 200);

const yaml = (url: string, port: number) => `
server: { host: 127.0.0.1, port: ${port}, body_limit: 1mb, shutdown_grace_ms: 1000 }
state: { sqlite_path: ${tempSqlitePath()} }
admin: { key: ${ADMIN_KEY} }
queue: { max_per_tenant: 5, max_wait_ms: 5000, result_ttl_ms: 60000 }
providers:
  openai: { type: openai, base_url: "${url}/v1", api_key: sk-rel-fuzz-upstream-abcdef }
  claude: { type: anthropic, base_url: "${url}", api_key: sk-rel-fuzz-claude-abcdef }
models:
  fuzz-chat: { capabilities: [chat, streaming, function_calling, json_mode, vision], deployments: [{ provider: openai, model: gpt-4o-mini }] }
  fuzz-claude: { capabilities: [chat, streaming, function_calling], deployments: [{ provider: claude, model: claude-sonnet-4-5 }] }
  fuzz-embed: { capabilities: [embeddings], deployments: [{ provider: openai, model: text-embedding-3-small }] }
tenants:
  - { id: tenant-fuzz, keys: [${TENANT_KEY}], cache: {} }
  - { id: fuzz-target, keys: [sk-rel-fuzz-target-0123456789] }
`;

const text = "fuzz me @@BYTES@@ please";
const chatTemplate: BodyTemplate = {
  value: { model: "fuzz-chat", messages: [{ role: "user", content: text }], max_tokens: 16 },
  fields: [
    ["model"], ["messages"], ["messages", 0], ["messages", 0, "role"], ["messages", 0, "content"], ["stream"], ["stream_options"], ["temperature"], ["top_p"], ["max_tokens"], ["max_completion_tokens"],
    ["n"], ["stop"], ["tools"], ["tool_choice"], ["response_format"], ["seed"], ["logprobs"], ["top_logprobs"], ["logit_bias"], ["user"], ["metadata"], ["tenant_id"], ["request_id"],
    ["routing_policy"], ["provider"], ["capabilities"], ["max_cost_per_token"], ["model_family"], ["parallel_tool_calls"], ["functions"], ["reasoning_effort"], ["base_url"],
  ],
};
const messagesTemplate: BodyTemplate = {
  value: { model: "fuzz-claude", max_tokens: 16, messages: [{ role: "user", content: text }] },
  fields: [["model"], ["max_tokens"], ["messages"], ["messages", 0], ["messages", 0, "role"], ["messages", 0, "content"], ["system"], ["stream"], ["stop_sequences"], ["temperature"], ["top_k"], ["metadata"], ["tools"], ["tool_choice"], ["thinking"]],
};
const embeddingsTemplate: BodyTemplate = {
  value: { model: "fuzz-embed", input: text },
  fields: [["model"], ["input"], ["encoding_format"], ["dimensions"], ["user"]],
};
const createKeyTemplate: BodyTemplate = {
  value: { tenant_id: "fuzz-target", name: text },
  fields: [["tenant_id"], ["name"], ["limits"], ["limits", "max_concurrent"], ["act_for"]],
};
// The Responses API: a list input with every item kind the translation reads (fuzz-claude is translated to an
// Anthropic call), and a plain one for the OpenAI passthrough (fuzz-chat).
const responsesTemplate: BodyTemplate = {
  value: {
    model: "fuzz-claude",
    instructions: "be brief",
    input: [
      { type: "message", role: "user", content: [{ type: "input_text", text }] },
      { type: "function_call", call_id: "call_1", name: "lookup", arguments: '{"q":"x"}' },
      { type: "function_call_output", call_id: "call_1", output: "42" },
    ],
    tools: [{ type: "function", name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } }],
    max_output_tokens: 16,
  },
  fields: [
    ["model"], ["input"], ["input", 0], ["input", 0, "role"], ["input", 0, "content"], ["input", 0, "content", 0], ["input", 0, "content", 0, "type"], ["input", 0, "content", 0, "text"], ["input", 1], ["input", 1, "call_id"], ["input", 1, "arguments"], ["input", 2], ["input", 2, "output"],
    ["instructions"], ["tools"], ["tools", 0], ["tools", 0, "parameters"], ["tool_choice"], ["parallel_tool_calls"], ["text"], ["text", "format"], ["reasoning"], ["max_output_tokens"], ["temperature"], ["top_p"], ["metadata"],
    ["store"], ["previous_response_id"], ["stream"], ["background"], ["include"], ["truncation"], ["user"], ["request_id"], ["tenant_id"], ["routing_policy"], ["provider"], ["capabilities"],
  ],
};
const passthroughTemplate: BodyTemplate = {
  value: { model: "fuzz-chat", input: text, max_output_tokens: 16 },
  fields: [["model"], ["input"], ["instructions"], ["tools"], ["text"], ["reasoning"], ["max_output_tokens"], ["metadata"], ["store"], ["previous_response_id"], ["stream"], ["background"], ["request_id"]],
};
const countTokensTemplate: BodyTemplate = {
  value: { model: "fuzz-claude", system: "be brief", messages: [{ role: "user", content: text }], tools: [{ name: "lookup", input_schema: { type: "object" } }] },
  fields: [["model"], ["messages"], ["messages", 0], ["messages", 0, "role"], ["messages", 0, "content"], ["system"], ["tools"], ["tools", 0, "input_schema"], ["tool_choice"], ["thinking"], ["output_config"], ["max_tokens"], ["stream"]],
};
/** The cache's headers: mostly a TTL that stores (so hostile bodies are hashed, stored and replayed), else their edge values. */
const cacheHeaders = fc
  .tuple(
    routeHeaders(80, { "x-runestone-cache": fc.oneof({ weight: 4, arbitrary: fc.constant("ttl=60") }, { weight: 3, arbitrary: fc.constantFrom("no-store", "ttl=0", "ttl=-1", "ttl=9999999", "ttl=99999999999999999999", "TTL=5", " ttl=5 ", "ttl=5, ttl=6", "ttl=1e3", "ttl=", "") }) }),
    routeHeaders(25, { "cache-control": fc.constantFrom("no-cache", "no-store", "max-age=0", 'no-cache="x"', "NO-CACHE, no-cache", "private, no-cache=", "") }),
  )
  .map(([a, b]) => [...a, ...b]);
/**
 * Valid chat requests from a small set (odd text, streams, tools), so that they repeat: stored under hostile
 * cache headers and replayed from the cache (JSON and as a stream) with others.
 */
const cacheReplay: fc.Arbitrary<FuzzRequest> = fc
  .tuple(fc.constantFrom("same question", "𝕳𝖊𝖑𝖑𝖔 \u202e\u0000", "__proto__"), fc.boolean(), fc.boolean(), fc.constantFrom(undefined, 1.5), cacheHeaders)
  .map(([content, stream, tools, temperature, own]) => {
    const body = {
      model: "fuzz-chat",
      messages: [{ role: "user", content }],
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      ...(tools ? { tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }] } : {}),
      ...(temperature === undefined ? {} : { temperature }),
    };
    return { method: "POST", target: "/v1/chat/completions", headers: [["authorization", `Bearer ${TENANT_KEY}`], ["content-type", "application/json"], ...own], body: Buffer.from(JSON.stringify(body)), kind: "cache-replay" };
  });
const anthropicVersion = routeHeaders(90, { "anthropic-version": fc.constantFrom("2023-06-01", "2023-01-01", "", "2023-06-01, 2023-06-01", "9999-99-99", "x".repeat(2_000)) });
const limitsTemplate: BodyTemplate = {
  value: { max_concurrent: 50, requests_per_minute: 100000, tokens_per_minute: 10000000 },
  fields: [["max_concurrent"], ["requests_per_minute"], ["tokens_per_minute"]],
};

const tenantAuth = authHeader(TENANT_KEY);
/** A response stored during the warm-up, so that hostile input_items queries page through a real conversation. */
let storedId = "resp_not_stored_yet";
const adminAuth = authHeader(ADMIN_KEY);
const ROUTES: Array<{ name: string; arb: fc.Arbitrary<FuzzRequest>; runs: number }> = [
  { name: "POST /v1/chat/completions", arb: bodyRequest("POST", "/v1/chat/completions", chatTemplate, tenantAuth), runs: RUNS * 2 },
  { name: "POST /v1/chat/stream", arb: bodyRequest("POST", "/v1/chat/stream", chatTemplate, tenantAuth), runs: RUNS },
  { name: "POST /v1/messages (x-api-key)", arb: bodyRequest("POST", "/v1/messages", messagesTemplate, fc.constant(TENANT_KEY), "x-api-key"), runs: RUNS },
  { name: "POST /v1/messages (bearer)", arb: bodyRequest("POST", "/v1/messages", { ...messagesTemplate, value: { ...messagesTemplate.value, model: "fuzz-chat" } }, tenantAuth), runs: RUNS / 2 },
  { name: "POST /v1/embeddings", arb: bodyRequest("POST", "/v1/embeddings", embeddingsTemplate, tenantAuth), runs: RUNS },
  { name: "POST /v1/admin/keys", arb: bodyRequest("POST", "/v1/admin/keys", createKeyTemplate, adminAuth), runs: RUNS / 2 },
  { name: "PUT /v1/admin/tenants/{tenant_id}/limits", arb: bodyRequest("PUT", "/v1/admin/tenants/fuzz-target/limits", limitsTemplate, adminAuth), runs: RUNS / 2 },
  { name: "PUT /v1/admin/tenants/{odd}/limits", arb: pathRequest("PUT", (s, q) => `/v1/admin/tenants/${s}/limits${q}`, [], adminAuth), runs: RUNS / 4 },
  { name: "GET /v1/admin/keys", arb: pathRequest("GET", (_s, q) => `/v1/admin/keys${q}`, ["tenant_id"], adminAuth), runs: RUNS / 4 },
  { name: "DELETE /v1/admin/keys/{key_id}", arb: pathRequest("DELETE", (s, q) => `/v1/admin/keys/${s}${q}`, [], adminAuth), runs: RUNS / 4 },
  { name: "GET /v1/jobs/{job_id}", arb: pathRequest("GET", (s, q) => `/v1/jobs/${s}${q}`, ["wait"], tenantAuth), runs: RUNS / 2 },
  { name: "DELETE /v1/jobs/{job_id}", arb: pathRequest("DELETE", (s, q) => `/v1/jobs/${s}${q}`, [], tenantAuth), runs: RUNS / 4 },
  { name: "GET /v1/usage", arb: pathRequest("GET", (_s, q) => `/v1/usage${q}`, ["from", "to", "group_by", "tenant_id"], tenantAuth), runs: RUNS / 2 },
  { name: "GET /v1/models/{model}", arb: pathRequest("GET", (s, q) => `/v1/models/${s}${q}`, [], tenantAuth), runs: RUNS / 4 },
  { name: "POST /v1/responses (translated)", arb: bodyRequest("POST", "/v1/responses", responsesTemplate, tenantAuth), runs: RUNS },
  { name: "POST /v1/responses (translated, stream)", arb: bodyRequest("POST", "/v1/responses", { ...responsesTemplate, value: { ...responsesTemplate.value, stream: true } }, tenantAuth), runs: RUNS / 2 },
  { name: "POST /v1/responses (passthrough, JSON and stream)", arb: bodyRequest("POST", "/v1/responses", passthroughTemplate, tenantAuth), runs: RUNS / 2 },
  { name: "GET /v1/responses/{response_id}", arb: pathRequest("GET", (s, q) => `/v1/responses/${s}${q}`, ["include", "stream"], tenantAuth), runs: RUNS / 4 },
  { name: "DELETE /v1/responses/{response_id}", arb: pathRequest("DELETE", (s, q) => `/v1/responses/${s}${q}`, [], tenantAuth), runs: RUNS / 4 },
  { name: "GET /v1/responses/{response_id}/input_items", arb: pathRequest("GET", (s, q) => `/v1/responses/${s}/input_items${q}`, ["limit", "order", "after", "before", "include"], tenantAuth), runs: RUNS / 4 },
  { name: "GET /v1/responses/{stored}/input_items", arb: pathRequest("GET", (_s, q) => `/v1/responses/${storedId}/input_items${q}`, ["limit", "order", "after", "before", "include"], tenantAuth), runs: RUNS / 4 },
  { name: "POST /v1/messages/count_tokens", arb: bodyRequest("POST", "/v1/messages/count_tokens", countTokensTemplate, fc.constant(TENANT_KEY), "x-api-key", anthropicVersion), runs: RUNS / 2 },
  { name: "GET /v1/models (anthropic-version)", arb: pathRequest("GET", (_s, q) => `/v1/models${q}`, ["limit", "before_id", "after_id"], tenantAuth, anthropicVersion), runs: RUNS / 4 },
  { name: "POST /v1/chat/completions (cache headers)", arb: fc.oneof({ weight: 1, arbitrary: bodyRequest("POST", "/v1/chat/completions", chatTemplate, tenantAuth, "authorization", cacheHeaders) }, { weight: 2, arbitrary: cacheReplay }), runs: RUNS / 2 },
];

const rec = new SectionRecorder("fuzz");
const statusList = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .map(([s, n]) => `${s === "0" ? "refused before the body was read (reset)" : s} x${n}`)
    .join(", ");
let upstream: MockUpstream;
let gw: ProcessGateway;
let port: number;
const counts: Array<{ route: string; requests: number; statuses: Record<string, number>; kinds: Record<string, number> }> = [];

beforeAll(async () => {
  upstream = await startMockUpstream({ record: false });
  port = await freePort();
  // Two malloc arenas, as memory-conscious deployments run Node: with glibc's default (8 per core) the
  // multi-MB bodies among the inputs land in arenas that keep their pages, so RSS varied by 80 MiB between
  // identical runs (once past the bound) while the V8 heap stayed flat; the bound is meant to catch a leak.
  gw = await spawnGateway(writeConfig(yaml(upstream.url, port)), port, { MALLOC_ARENA_MAX: "2" });
});

afterAll(async () => {
  rec.write();
  await gw?.stop();
  await upstream?.close();
});

const failures: string[] = [];
/** Answers replayed from the response cache (x-runestone-cache: hit). */
let cacheHits = 0;
/** Node's default --max-http-header-size. */
const MAX_HEADER_BYTES = 16 * 1024;
const headerBytes = (r: FuzzRequest) => r.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, r.target.length + 64);
/** Node's HTTP parser answers these itself (431, or 400 for control bytes in a header value): the app never sees them, so nothing is logged. */
const nodeRefuses = (r: FuzzRequest) => headerBytes(r) > MAX_HEADER_BYTES || r.headers.some(([, v]) => [...Buffer.from(v as never, typeof v === "string" ? "latin1" : undefined)].some((b) => (b < 0x20 && b !== 0x09) || b === 0x7f));

/**
 * Sends one request; a 200 stream is read to its end (a stream may not end in an internal error event).
 * The gateway may refuse before reading a body (413, 415, and Node's 431 for headers) and close; while the
 * client is still sending a big body, that answer can be lost to the connection reset. Then the gateway's
 * own log line for the request (none for a 431, which Node answers) says what it answered.
 */
async function send(r: FuzzRequest): Promise<number> {
  let status: number;
  let text = "";
  const logLength = gw.logs().length;
  try {
    const res = await rawRequest(port, r.method, r.target, r.headers, r.body);
    text = res.text;
    if (/\r\nx-runestone-cache: hit\r\n/i.test(res.text)) cacheHits++;
    status = res.status === 200 && /"code":"internal_error"/.test(res.text) ? 500 : res.status;
    if (res.reset) {
      const loggedStatuses = () => [...gw.logs().slice(logLength).matchAll(/"status":(\d{3})[^\n]*"msg":"request"/g)].map((m) => Number(m[1]));
      // Logs are written asynchronously: wait for the line (Node's own 431 has none).
      for (let i = 0; i < 40 && !loggedStatuses().length && !nodeRefuses(r); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      const logged = loggedStatuses();
      status = logged.length ? Math.max(...logged) : nodeRefuses(r) ? 400 : 598;
      if (status < 500) status = 0;
      text = `reset; logged ${logged.join(",") || "nothing"}`;
    }
  } catch (err) {
    text = String(err);
    status = 599;
  }
  if (status >= 500) failures.push(`${status} <- ${describeRequest(r)}\n   answer: ${JSON.stringify(text.slice(0, 600))}`);
  return status;
}

describe("fuzzing the live gateway", () => {
  let rssBefore = 0;
  let heapBefore = 0;
  const heapUsedMb = async () => Number(/^runestone_nodejs_heap_size_used_bytes (\S+)/m.exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1]) / 2 ** 20;

  it("warms up, so that memory is measured from a steady state", async () => {
    for (let i = 0; i < 100; i++) {
      const body = Buffer.from(JSON.stringify({ model: "fuzz-chat", messages: [{ role: "user", content: `warm ${i}` }] }));
      expect(await send({ method: "POST", target: "/v1/chat/completions", headers: [["authorization", `Bearer ${TENANT_KEY}`], ["content-type", "application/json"]], body, kind: "valid" })).toBe(200);
    }
    const input = Array.from({ length: 12 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `turn ${i}` }));
    const stored = await rawRequest(port, "POST", "/v1/responses", [["authorization", `Bearer ${TENANT_KEY}`], ["content-type", "application/json"]], Buffer.from(JSON.stringify({ model: "fuzz-claude", input, max_output_tokens: 8 })));
    expect(stored.status).toBe(200);
    storedId = /"id":"(resp_[^"]+)"/.exec(stored.text)![1]!;
    rssBefore = gw.rssMb();
    heapBefore = await heapUsedMb();
  });

  for (const [i, route] of ROUTES.entries()) {
    it(`never answers 500 or more to hostile requests on ${route.name}`, async () => {
      const row = rec.start(`fuzz ${route.name}`, "every answer < 500, the gateway alive and answering /health/live");
      const statuses: Record<string, number> = {};
      const kinds: Record<string, number> = {};
      let requests = 0;
      const hitsBefore = cacheHits;
      await fc.assert(
        fc.asyncProperty(route.arb, async (r) => {
          const status = await send(r);
          requests++;
          statuses[status] = (statuses[status] ?? 0) + 1;
          kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
          return status < 500 && gw.alive();
        }),
        { numRuns: Math.max(1, Math.round(route.runs)), seed: 4242 + i, endOnFailure: true },
      ).catch((err) => {
        throw new Error(`${failures.slice(-3).join("\n")}\n${gw.logs().split("\n").filter((l) => l.includes("unhandled error")).slice(-3).join("\n")}\n${String(err).slice(0, 300)}`);
      });
      expect(gw.alive()).toBe(true);
      expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
      counts.push({ route: route.name, requests, statuses, kinds });
      const hits = cacheHits - hitsBefore;
      row.pass(`${requests} requests; statuses ${statusList(statuses)}${hits ? `; ${hits} answered from the response cache` : ""}`);
    }, 240_000);
  }

  it("answers 400 to a body nested 20 000 levels deep, which used to overflow the stack when forwarded (500)", async () => {
    const row = rec.start("regression: 20 000-level nesting in an unknown field", "400 invalid_json (bodies nest at most 100 levels); was a 500 from JSON.stringify overflowing the stack");
    for (const path of ["/v1/chat/completions", "/v1/embeddings", "/v1/messages"]) {
      const deep = `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`;
      const template = path === "/v1/embeddings" ? '{"model":"fuzz-embed","input":"hi","extra":' : path === "/v1/messages" ? '{"model":"fuzz-claude","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"extra":' : '{"model":"fuzz-chat","messages":[{"role":"user","content":"hi"}],"extra":';
      const res = await rawRequest(port, "POST", path, [["authorization", `Bearer ${TENANT_KEY}`], ["content-type", "application/json"]], Buffer.from(`${template}${deep}}`));
      expect(res.status, path).toBe(400);
      expect(res.text).toMatch(/nests deeper than 100 levels/);
    }
    row.pass("chat, embeddings, messages: 400 \"the request body nests deeper than 100 levels\"");
  });

  it("answers 400 to a request_id that cannot travel in a header, which used to be a 500", async () => {
    const row = rec.start("regression: non-ASCII request_id", "400 naming request_id; was a 500 (ERR_INVALID_CHAR when echoing it in x-request-id)");
    const res = await rawRequest(port, "POST", "/v1/chat/completions", [["authorization", `Bearer ${TENANT_KEY}`], ["content-type", "application/json"]], Buffer.from(JSON.stringify({ model: "fuzz-chat", request_id: "全෮µ", messages: [{ role: "user", content: "hi" }] })));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/"param":"request_id"/);
    row.pass("400 invalid_request_error, param request_id");
  });

  it("kept its memory within the bound and logged no unhandled error", async () => {
    const row = rec.start("fuzzing: memory and logs", `gateway RSS grows < ${RSS_BOUND_MB} MB over the whole run; no "unhandled error" log line`);
    const rssAfter = gw.rssMb();
    const heapAfter = await heapUsedMb();
    const grew = rssAfter - rssBefore;
    expect(grew).toBeLessThan(RSS_BOUND_MB);
    expect(gw.logs()).not.toContain('"msg":"unhandled error"');
    const total = counts.reduce((n, c) => n + c.requests, 0);
    const allStatuses: Record<string, number> = {};
    const allKinds: Record<string, number> = {};
    for (const c of counts) {
      for (const [s, n] of Object.entries(c.statuses)) allStatuses[s] = (allStatuses[s] ?? 0) + n;
      for (const [k, n] of Object.entries(c.kinds)) allKinds[k] = (allKinds[k] ?? 0) + n;
    }
    rec.figures["requests fuzzed"] = total;
    rec.figures["routes fuzzed"] = counts.length;
    rec.figures["responses >= 500"] = Object.entries(allStatuses).filter(([s]) => Number(s) >= 500).reduce((n, [, v]) => n + v, 0);
    rec.figures["statuses seen"] = statusList(allStatuses);
    rec.figures["hostility kinds"] = Object.entries(allKinds).map(([k, n]) => `${k} x${n}`).join(", ");
    rec.figures["gateway RSS before / after (MiB)"] = `${rssBefore.toFixed(0)} / ${rssAfter.toFixed(0)}`;
    rec.figures["gateway V8 heap used before / after (MiB)"] = `${heapBefore.toFixed(0)} / ${heapAfter.toFixed(0)}`;
    row.pass(`${total} requests over ${counts.length} routes; RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MiB (+${grew.toFixed(0)}, bodies up to 4.5 MB among them), heap used ${heapBefore.toFixed(0)} -> ${heapAfter.toFixed(0)} MiB; 0 unhandled errors`);
  });
});
