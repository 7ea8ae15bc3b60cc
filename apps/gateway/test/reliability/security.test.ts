// Reliability, part 5: security. Every route of the spec refuses a missing or bad key; tenants never
// see each other's jobs or usage; the admin API refuses tenant keys; keys and prompts never reach a log
// line or an error body; body and header size limits; CORS off by default and configurable; and the
// gateway never connects where a request tells it to.
import { openapiDocument } from "@runestone/contract";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load";
import { startGateway, type RunningGateway } from "../../src/server";
import { createLogger } from "../../src/telemetry/logger";
import { LogCapture, tempSqlitePath } from "../harness";
import { holdSlot } from "../jobs-harness";
import { SectionRecorder } from "./results";

const KEYS = { a: "sk-rel-sec-tenant-a-secret-0123456789", b: "sk-rel-sec-tenant-b-secret-0123456789" };
const ADMIN_KEY = "sk-rel-sec-admin-secret-0123456789abcdef";
const UPSTREAM_KEYS = ["sk-rel-sec-upstream-secret-abcdef", "sk-rel-sec-claude-secret-abcdef", "sk-rel-sec-misconfigured-secret-abc"];
const BAD_KEY = "sk-rel-sec-not-a-real-key-0123456789";
const SECRETS = [...Object.values(KEYS), ADMIN_KEY, ...UPSTREAM_KEYS, BAD_KEY];

const yaml = (url: string, extra = "") => `
server: { host: 127.0.0.1, port: 0, body_limit: 1mb, shutdown_grace_ms: 1000${extra} }
state: { sqlite_path: ${tempSqlitePath()} }
admin: { key: ${ADMIN_KEY} }
queue: { max_per_tenant: 5, max_wait_ms: 20000, result_ttl_ms: 60000 }
providers:
  openai: { type: openai, base_url: "${url}/v1", api_key: ${UPSTREAM_KEYS[0]}, timeouts: { connect_ms: 1000, first_byte_ms: 10000, idle_ms: 10000, total_ms: 20000 } }
  claude: { type: anthropic, base_url: "${url}", api_key: ${UPSTREAM_KEYS[1]} }
  misconfigured: { type: openai, base_url: "${url}/v1", api_key: ${UPSTREAM_KEYS[2]} }
models:
  gpt-4o-mini: { capabilities: [chat, streaming, function_calling, json_mode], deployments: [{ provider: openai, model: gpt-4o-mini }] }
  claude-sonnet-4-5: { deployments: [{ provider: claude, model: claude-sonnet-4-5 }] }
  text-embedding-3-small: { capabilities: [embeddings], deployments: [{ provider: openai, model: text-embedding-3-small }] }
  stalls: { deployments: [{ provider: openai, model: "gpt-4o-mini::stall=before-headers" }] }
  broken: { deployments: [{ provider: misconfigured, model: "broken::status=401" }] }
  refuses: { deployments: [{ provider: openai, model: "refuses::status=400" }] }
tenants:
  - { id: tenant-a, keys: [${KEYS.a}], limits: { max_concurrent: 1 }, overflow: queue }
  - { id: tenant-b, keys: [${KEYS.b}] }
`;

const rec = new SectionRecorder("security");
const logs = new LogCapture();
/** Every error body this file received, scanned for secrets and prompts at the end. */
const errorBodies: string[] = [];
const prompts: string[] = [];
let upstream: MockUpstream;
let attacker: MockUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  attacker = await startMockUpstream();
  const { config } = parseConfig(yaml(upstream.url), {});
  gateway = await startGateway({ config, logger: createLogger("debug", logs), validateResponses: true });
});

afterAll(async () => {
  rec.write();
  await gateway?.close();
  await upstream?.close();
  await attacker?.close();
});

let promptNo = 0;
/** A prompt unique to one request, remembered for the redaction scan. */
function prompt(): string {
  const p = `classified prompt ${++promptNo} about operation bluebird`;
  prompts.push(p);
  return p;
}

async function call(method: string, path: string, init: { key?: string; header?: string; body?: unknown; headers?: Record<string, string>; base?: string } = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers[init.header ?? "authorization"] = init.header === "x-api-key" ? init.key : `Bearer ${init.key}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${init.base ?? gateway.url}${path}`, { method, headers, body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body) });
  const text = await res.text();
  if (res.status >= 400) errorBodies.push(text);
  return { status: res.status, headers: res.headers, text };
}

const chatBody = () => ({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt() }] });

interface Operation {
  method: string;
  path: string;
  security: unknown;
}
const operations: Operation[] = Object.entries(openapiDocument.paths as Record<string, Record<string, { security?: unknown; operationId?: string }>>).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([, op]) => typeof op === "object" && op?.operationId)
    .map(([method, op]) => ({ method: method.toUpperCase(), path, security: op.security })),
);
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, "x1");
const isPublic = (op: Operation) => Array.isArray(op.security) && (op.security.length === 0 || op.security.some((s) => s && typeof s === "object" && Object.keys(s).length === 0));

describe("authentication on every route of the spec", () => {
  it("answers 401 to a missing or a bad key on every operation that needs one", async () => {
    const guarded = operations.filter((op) => !isPublic(op));
    const row = rec.start(
      `missing / bad key on every guarded route (${guarded.length} operations from the bundled spec)`,
      "401 authentication_error (Anthropic shape on /v1/messages) for no key, an unknown bearer key, and on /v1/messages an unknown x-api-key",
    );
    expect(guarded.length).toBeGreaterThanOrEqual(12);
    let checks = 0;
    for (const op of guarded) {
      const body = ["POST", "PUT"].includes(op.method) ? chatBody() : undefined;
      const attempts = [{}, { key: BAD_KEY }, ...(op.path === "/v1/messages" ? [{ key: BAD_KEY, header: "x-api-key" }] : [])];
      for (const a of attempts) {
        const res = await call(op.method, concrete(op.path), { ...a, body });
        expect(res.status, `${op.method} ${op.path} ${JSON.stringify(a)}`).toBe(401);
        const parsed = JSON.parse(res.text) as { error: { type: string } };
        expect(parsed.error.type).toBe("authentication_error");
        checks++;
      }
    }
    row.pass(`${checks} requests over ${guarded.length} operations: all 401 authentication_error`);
  });

  it("keeps the routes the spec marks public open, and /metrics to loopback callers only", async () => {
    const open = operations.filter(isPublic);
    const row = rec.start(
      `routes the spec marks public (${open.map((o) => o.path).join(", ")})`,
      "health probes answer without a key; /metrics (security: [{}, bearerAuth]) answers a loopback caller without a key in the default `metrics.access: loopback`",
    );
    for (const op of open) {
      const res = await call(op.method, op.path);
      expect(res.status, `${op.method} ${op.path}`).toBe(200);
    }
    expect(open.map((o) => o.path)).toEqual(expect.arrayContaining(["/health", "/health/live", "/health/ready", "/metrics"]));
    row.pass(`${open.length} public operations answered 200 from 127.0.0.1 without a key (metrics-access.test.ts covers remote 403 and admin mode 401)`);
  });

  it("refuses tenant keys on every admin route with 403, and the admin key on tenant routes", async () => {
    const admin = operations.filter((op) => op.path.startsWith("/v1/admin/"));
    const row = rec.start(`admin routes refuse tenant keys (${admin.length} operations)`, "403 permission_error for a valid tenant key; the admin key gets 403 on chat, messages, embeddings, jobs and models");
    for (const op of admin) {
      const res = await call(op.method, concrete(op.path), { key: KEYS.b, body: op.method === "POST" ? { tenant_id: "tenant-b" } : op.method === "PUT" ? { max_concurrent: 100 } : undefined });
      expect(res.status, `${op.method} ${op.path}`).toBe(403);
      expect((JSON.parse(res.text) as { error: { type: string } }).error.type).toBe("permission_error");
    }
    const tenantOnly = operations.filter((op) => !op.path.startsWith("/v1/admin/") && op.path.startsWith("/v1/") && op.path !== "/v1/usage");
    for (const op of tenantOnly) {
      const res = await call(op.method, concrete(op.path), { key: ADMIN_KEY, body: op.method === "POST" ? chatBody() : undefined });
      expect(res.status, `${op.method} ${op.path}`).toBe(403);
    }
    row.pass(`${admin.length} admin operations: 403 to a tenant key; ${tenantOnly.length} tenant operations: 403 to the admin key`);
  });
});

describe("tenant isolation", () => {
  it("hides one tenant's jobs from another (404, as if missing) and shows each tenant only its own usage", async () => {
    const row = rec.start("cross-tenant job and usage lookups", "another tenant's job: GET and DELETE 404 job_not_found, the job untouched; /v1/usage shows only the caller's tenant, naming another is 403; the admin key sees both");
    const holder = await holdSlot(upstream, gateway.url, KEYS.a, "sec-hold-marker");
    const queued = await call("POST", "/v1/chat/completions", { key: KEYS.a, body: chatBody() });
    expect(queued.status).toBe(202);
    const jobId = (JSON.parse(queued.text) as { job_id: string }).job_id;
    const foreignGet = await call("GET", `/v1/jobs/${jobId}`, { key: KEYS.b });
    const foreignDelete = await call("DELETE", `/v1/jobs/${jobId}`, { key: KEYS.b });
    expect(foreignGet.status).toBe(404);
    expect(foreignDelete.status).toBe(404);
    expect(JSON.parse(foreignGet.text).error.code).toBe("job_not_found");
    const missingId = `job_000000000${"0".repeat(16)}`;
    const missing = await call("GET", `/v1/jobs/${missingId}`, { key: KEYS.b });
    expect(missing.status).toBe(404);
    // Indistinguishable from an id that does not exist.
    expect(foreignGet.text.replace(jobId, "<id>")).toBe(missing.text.replace(missingId, "<id>"));
    expect(foreignDelete.text.replace(jobId, "<id>")).toBe(missing.text.replace(missingId, "<id>"));
    holder.release();
    const own = await call("GET", `/v1/jobs/${jobId}`, { key: KEYS.a });
    expect(own.status).toBe(200);
    expect(JSON.parse(own.text).status).not.toBe("cancelled");

    expect((await call("POST", "/v1/chat/completions", { key: KEYS.b, body: chatBody() })).status).toBe(200);
    let tenantsSeenByB: string[] = [];
    for (let i = 0; i < 40 && tenantsSeenByB.length === 0; i++) {
      const usage = await call("GET", "/v1/usage?group_by=tenant", { key: KEYS.b });
      tenantsSeenByB = (JSON.parse(usage.text) as { data: Array<{ tenant_id: string }> }).data.map((r) => r.tenant_id);
      if (!tenantsSeenByB.length) await new Promise((r) => setTimeout(r, 50));
    }
    expect(tenantsSeenByB).toEqual(["tenant-b"]);
    expect((await call("GET", "/v1/usage?tenant_id=tenant-a", { key: KEYS.b })).status).toBe(403);
    let adminSees: string[] = [];
    for (let i = 0; i < 100 && adminSees.length < 2; i++) {
      const all = await call("GET", "/v1/usage?group_by=tenant", { key: ADMIN_KEY });
      adminSees = (JSON.parse(all.text) as { data: Array<{ tenant_id: string }> }).data.map((r) => r.tenant_id).sort();
      if (adminSees.length < 2) await new Promise((r) => setTimeout(r, 50));
    }
    expect(adminSees).toEqual(["tenant-a", "tenant-b"]);
    row.pass(`tenant-b on tenant-a's ${jobId.slice(0, 12)}...: GET 404, DELETE 404 (same body as a missing id), job still ${JSON.parse(own.text).status}; usage: tenant-b sees [tenant-b], asking for tenant-a is 403, admin sees both`);
  });
});

describe("limits on what a client may send", () => {
  it("answers 413 to a body over server.body_limit and 431 to oversized headers", async () => {
    const row = rec.start("body and header size limits", "a 1.5 MB body (limit 1mb): 413 request_too_large in the error envelope; 20 KiB of headers: 431; the gateway still answers");
    const big = await call("POST", "/v1/chat/completions", { key: KEYS.b, body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(1_500_000) }] } });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text).error.code).toBe("request_too_large");
    const headers = await call("POST", "/v1/chat/completions", { key: KEYS.b, body: chatBody(), headers: { "x-padding": "p".repeat(20 * 1024) } });
    expect(headers.status).toBe(431);
    expect((await call("GET", "/health/live")).status).toBe(200);
    row.pass("413 request_too_large; 431; still live");
  });
});

describe("CORS", () => {
  it("sends no CORS headers and honours no preflight by default", async () => {
    const row = rec.start("CORS off by default", "a cross-origin request gets no Access-Control-Allow-Origin; a preflight gets no CORS headers and no 2xx");
    const res = await call("POST", "/v1/chat/completions", { key: KEYS.b, body: chatBody(), headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const pre = await call("OPTIONS", "/v1/chat/completions", { headers: { origin: "https://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
    expect(pre.status).toBeGreaterThanOrEqual(400);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect(pre.headers.get("access-control-allow-methods")).toBeNull();
    row.pass(`POST: no ACAO; preflight: ${pre.status}, no CORS headers`);
  });

  it("answers preflights and marks responses for the origins listed in server.cors.origins, and only those", async () => {
    const row = rec.start("CORS configurable (server.cors.origins)", "listed origin: preflight 204 with allow-origin/methods/headers, responses carry allow-origin and expose x-request-id; other origins: nothing");
    const { config } = parseConfig(yaml(upstream.url, ', cors: { origins: ["https://app.example"] }'), {});
    const corsGateway = await startGateway({ config, logger: createLogger("silent", new LogCapture()), validateResponses: true });
    try {
      const base = corsGateway.url;
      const pre = await call("OPTIONS", "/v1/chat/completions", { base, headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect(pre.headers.get("access-control-allow-methods")).toContain("POST");
      expect(pre.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
      expect(pre.headers.get("vary")).toMatch(/Origin/);
      const res = await call("POST", "/v1/chat/completions", { base, key: KEYS.b, body: chatBody(), headers: { origin: "https://app.example" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
      const denied = await call("OPTIONS", "/v1/chat/completions", { base, headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
      expect(denied.status).toBeGreaterThanOrEqual(400);
      expect(denied.headers.get("access-control-allow-origin")).toBeNull();
      const unauth = await call("POST", "/v1/chat/completions", { base, body: chatBody(), headers: { origin: "https://app.example" } });
      expect(unauth.status).toBe(401);
      row.pass("listed origin: preflight 204 + allow-origin, POST 200 + allow-origin + expose-headers; unlisted origin: preflight refused, no CORS headers; a preflight never bypasses the key (401 without one)");
    } finally {
      await corsGateway.close();
    }
  });
});

describe("where the gateway connects", () => {
  it("never takes a provider URL from a request body or header", async () => {
    const row = rec.start("provider URLs never taken from a request", "base_url / api_base / provider_url (and variants) in the body, x-runestone-base-url and similar headers: every call goes to the configured upstream, a second mock receives nothing");
    const evil = `${attacker.url}/v1`;
    const fields = { base_url: evil, api_base: evil, provider_url: evil, baseURL: evil, api_url: evil, endpoint: evil, url: evil, custom_host: evil };
    const headers = { "x-runestone-base-url": evil, "x-runestone-provider-url": evil, "x-base-url": evil, "x-portkey-custom-host": evil, "x-forwarded-host": new URL(attacker.url).host, "x-original-url": evil };
    const firstPrompt = prompts.length;
    const sent = [
      await call("POST", "/v1/chat/completions", { key: KEYS.b, body: { ...chatBody(), ...fields }, headers }),
      await call("POST", "/v1/chat/completions", { key: KEYS.b, body: { ...chatBody(), ...fields, stream: true }, headers }),
      await call("POST", "/v1/messages", { key: KEYS.b, header: "x-api-key", body: { model: "claude-sonnet-4-5", max_tokens: 50, messages: [{ role: "user", content: prompt() }], ...fields }, headers }),
      await call("POST", "/v1/embeddings", { key: KEYS.b, body: { model: "text-embedding-3-small", input: prompt(), ...fields }, headers }),
    ];
    for (const s of sent) expect(s.status).toBe(200);
    // Each request reached the configured upstream exactly once (counted by its own prompt: a job queued by
    // an earlier test may still be running against the same upstream).
    const mine = prompts.slice(firstPrompt);
    expect(mine).toHaveLength(sent.length);
    for (const p of mine) expect(upstream.requests.filter((r) => r.rawBody.includes(p)), p).toHaveLength(1);
    // The one provider routing field the spec knows names a configured provider, never a URL.
    const byUrl = await call("POST", "/v1/chat/completions", { key: KEYS.b, body: { ...chatBody(), provider: evil } });
    expect(byUrl.status).toBeLessThan(500);
    expect(attacker.requests).toHaveLength(0);
    row.pass(`${sent.length} requests (chat, stream, messages, embeddings) carrying ${Object.keys(fields).length} URL fields and ${Object.keys(headers).length} URL headers: all served by the configured upstream; provider: <url> -> ${byUrl.status}; the second mock received 0 requests`);
  });
});

describe("secrets and prompts", () => {
  it("never writes a key or prompt text to a log line or an error body", async () => {
    const row = rec.start("no key or prompt text in logs or error bodies", "after every request of this file plus upstream failures (401 misconfigured key, 400 refusal, malformed JSON, wrong types), no captured log line (debug level) and no error body holds any key or prompt");
    // Failures that carry a prompt: the upstream refusing, a misconfigured key, a body that does not validate.
    await call("POST", "/v1/chat/completions", { key: KEYS.b, body: { model: "broken", messages: [{ role: "user", content: prompt() }] } });
    await call("POST", "/v1/chat/completions", { key: KEYS.b, body: { model: "refuses", messages: [{ role: "user", content: prompt() }] } });
    await call("POST", "/v1/chat/completions", { key: KEYS.b, body: `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"${prompt()}"` });
    await call("POST", "/v1/chat/completions", { key: KEYS.b, body: { model: "gpt-4o-mini", messages: [{ role: prompt(), content: prompt() }] } });
    await call("POST", "/v1/chat/completions", { key: KEYS.b, body: { model: "gpt-4o-mini", temperature: prompt(), messages: [{ role: "user", content: prompt() }] } });
    await call("POST", "/v1/messages", { key: KEYS.b, header: "x-api-key", body: { model: "claude-sonnet-4-5", messages: [{ role: "user", content: prompt() }] } });
    await call("POST", "/v1/chat/completions", { key: `${KEYS.b}x`, body: chatBody() });
    await new Promise((r) => setTimeout(r, 100)); // pino writes asynchronously
    const logText = logs.text();
    expect(logs.lines.length).toBeGreaterThan(20);
    const leaks: string[] = [];
    for (const s of [...SECRETS, `${KEYS.b}x`, ...prompts]) {
      if (logText.includes(s)) leaks.push(`log: ${s}`);
      for (const body of errorBodies) if (body.includes(s)) leaks.push(`error body: ${s}`);
    }
    expect(leaks).toEqual([]);
    rec.figures["log lines scanned / error bodies scanned"] = `${logs.lines.length} / ${errorBodies.length}`;
    row.pass(`${logs.lines.length} log lines and ${errorBodies.length} error bodies scanned for ${SECRETS.length + 1} keys and ${prompts.length} prompts: 0 found`);
  });
});
