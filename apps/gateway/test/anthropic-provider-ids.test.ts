// Errors from Anthropic-type providers name the provider's configured id, as OpenAI-type ones do: with two
// Anthropic providers configured, the caller can tell which one failed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf, postJson, readSse, startHarness, TENANT_KEY, tempSqlitePath, type Harness } from "./harness";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    configYaml: (url) => `
server: { host: 127.0.0.1, port: 0 }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 0 }
providers:
  ant-one: { type: anthropic, base_url: "${url}", api_key: sk-ant-one-upstream }
  ant-two: { type: anthropic, base_url: "${url}", api_key: sk-ant-two-upstream }
  oai: { type: openai, base_url: "${url}/v1", api_key: sk-oai-upstream }
models: {}
tenants:
  - { id: tenant-a, keys: [${TENANT_KEY}] }
`,
  });
});
afterAll(async () => {
  await h?.close();
});

const chat = (model: string, extra: Record<string, unknown> = {}) =>
  postJson(`${h.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "a b c" }], ...extra });

describe("errors of Anthropic-type providers", () => {
  it.each(["ant-one", "ant-two", "oai"])("name the configured provider id %s when the upstream refuses the request", async (id) => {
    const res = await chat(`${id}/claude-x::status=400`);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(new RegExp(`^provider ${id} rejected the request: `));
  });

  it.each(["ant-one", "ant-two"])("name the configured provider id %s when it is overloaded", async (id) => {
    const res = await chat(`${id}/claude-x::status=529`);
    expect(res.status).toBe(503);
    expect((await errorOf(res)).message).toMatch(new RegExp(`^provider ${id} is overloaded: `));
  });

  it.each(["ant-one", "ant-two"])("name the configured provider id %s when its key is refused", async (id) => {
    const res = await chat(`${id}/claude-x::status=401`);
    expect(res.status).toBe(502);
    const message = (await errorOf(res)).message;
    expect(message).toContain(`for provider ${id} `);
    expect(message).not.toContain("sk-ant");
  });

  it.each(["ant-one", "ant-two"])("name the configured provider id %s in a mid-stream error event", async (id) => {
    const res = await chat(`${id}/claude-z::midStreamError=1`, { stream: true });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    const failure = events.map((e) => JSON.parse(e === "[DONE]" ? "{}" : e) as { error?: { message: string } }).find((e) => e.error);
    expect(failure?.error?.message).toMatch(new RegExp(`^provider ${id} `));
    expect(events).not.toContain("[DONE]");
  });
});
