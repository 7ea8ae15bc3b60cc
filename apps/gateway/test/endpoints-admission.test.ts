// One admission for every model endpoint: a key's own limits, the x-ratelimit-* headers and usage
// accounting must be the same on chat (JSON, SSE, /v1/chat/stream), Messages and embeddings. The
// table below drives the same assertions over each; an endpoint that forks its own admission shows up
// as a row that admits a fourth request, lacks the headers, or accounts nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, api, startInstances, tempSqlitePath, type Instances } from "./limits-harness";

const TENANTS = ["t-chat", "t-chat-sse", "t-chat-stream", "t-messages", "t-embeddings"] as const;

function configYaml(upstreamUrl: string, sqlitePath: string): string {
  return `
server: { host: 127.0.0.1, port: 0, shutdown_grace_ms: 1000 }
admin: { key: ${ADMIN_KEY} }
state: { sqlite_path: ${sqlitePath} }
providers:
  openai: { type: openai, base_url: ${upstreamUrl}/v1, api_key: sk-upstream }
models:
  gpt-4o-mini:
    pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }
    deployments: [{ provider: openai, model: gpt-4o-mini }]
  text-embedding-3-small:
    capabilities: [embeddings]
    pricing: { input_per_1m: 0.02, output_per_1m: 0 }
    deployments: [{ provider: openai, model: text-embedding-3-small }]
tenants:
${TENANTS.map((t) => `  - { id: ${t}, keys: [sk-config-${t}-0123456789] }`).join("\n")}
`;
}

interface Endpoint {
  tenant: (typeof TENANTS)[number];
  path: string;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Whether a 200 is an SSE stream (read to its end before the next request). */
  sse?: boolean;
  /** The refusal's shape: OpenAI's envelope or Anthropic's. */
  errorShape: "openai" | "anthropic";
}

const user = [{ role: "user", content: "hello there" }];
const ENDPOINTS: Endpoint[] = [
  { tenant: "t-chat", path: "/v1/chat/completions", body: { model: "gpt-4o-mini", messages: user }, errorShape: "openai" },
  { tenant: "t-chat-sse", path: "/v1/chat/completions", body: { model: "gpt-4o-mini", messages: user, stream: true }, sse: true, errorShape: "openai" },
  { tenant: "t-chat-stream", path: "/v1/chat/stream", body: { model: "gpt-4o-mini", messages: user }, sse: true, errorShape: "openai" },
  { tenant: "t-messages", path: "/v1/messages", body: { model: "gpt-4o-mini", max_tokens: 50, messages: user }, headers: { "anthropic-version": "2023-06-01" }, errorShape: "anthropic" },
  { tenant: "t-embeddings", path: "/v1/embeddings", body: { model: "text-embedding-3-small", input: "hello there" }, errorShape: "openai" },
];

let gw: Instances;
const db = tempSqlitePath();

beforeAll(async () => {
  gw = await startInstances(1, (u) => configYaml(u, db.path));
});
afterAll(async () => {
  await gw.close();
  db.cleanup();
});

/** A key of the endpoint's tenant limited to 3 requests per minute (the tenant itself has no limit). */
async function limitedKey(tenant: string): Promise<string> {
  const res = await api(gw.urls[0]!, ADMIN_KEY, "POST", "/v1/admin/keys", { tenant_id: tenant, limits: { requests_per_minute: 3 } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

async function send(e: Endpoint, key: string): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${gw.urls[0]}${e.path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...e.headers },
    body: JSON.stringify(e.body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe.each(ENDPOINTS)("$path ($tenant)", (e) => {
  it("applies the key's own limit: three answers, then 429 with Retry-After, rate-limit headers on every answer, usage accounted", async () => {
    const key = await limitedKey(e.tenant);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await send(e, key));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);

    expect(answers.map((a) => a.headers.get("x-ratelimit-limit-requests"))).toEqual(["3", "3", "3", "3", "3"]);
    expect(answers.map((a) => a.headers.get("x-ratelimit-remaining-requests"))).toEqual(["2", "1", "0", "0", "0"]);
    if (e.sse) for (const a of answers.slice(0, 3)) expect(a.text.trimEnd().endsWith("data: [DONE]")).toBe(true);

    const refused = answers[3]!;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = JSON.parse(refused.text);
    if (e.errorShape === "anthropic") expect(body).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    else expect(body).toMatchObject({ error: { type: "rate_limit_error", code: "rate_limit_exceeded" } });
    expect(body.error.message).toContain("this API key");

    // The ledger is written when a response closes: poll briefly for the three admitted requests.
    let row: { requests: number; prompt_tokens: number } | undefined;
    for (let i = 0; i < 40 && row?.requests !== 3; i++) {
      const usage = await api(gw.urls[0]!, key, "GET", "/v1/usage");
      row = ((await usage.json()) as { data: Array<{ requests: number; prompt_tokens: number }> }).data[0];
      if (row?.requests !== 3) await new Promise((r) => setTimeout(r, 50));
    }
    expect(row?.requests).toBe(3);
    expect(row!.prompt_tokens).toBeGreaterThan(0);
  });
});
