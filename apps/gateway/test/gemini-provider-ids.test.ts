// Errors from Gemini-type providers name the provider's configured id, as OpenAI- and Anthropic-type ones do:
// with two Gemini providers configured, the caller can tell which one failed.
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
  gem-one: { type: gemini, base_url: "${url}", api_key: sk-gem-one-upstream }
  gem-two: { type: gemini, base_url: "${url}", api_key: sk-gem-two-upstream }
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

describe("errors of Gemini-type providers", () => {
  it.each(["gem-one", "gem-two"])("name the configured provider id %s when the upstream refuses the request", async (id) => {
    h.upstream.behave({ status: 400 }, { model: `gemini-x-${id}`, times: 1 });
    const res = await chat(`${id}/gemini-x-${id}`);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(new RegExp(`^provider ${id} rejected the request: `));
  });

  it.each(["gem-one", "gem-two"])("name the configured provider id %s when its key is refused", async (id) => {
    h.upstream.behave({ status: 401 }, { model: `gemini-k-${id}`, times: 1 });
    const res = await chat(`${id}/gemini-k-${id}`);
    expect(res.status).toBe(502);
    const message = (await errorOf(res)).message;
    expect(message).toContain(`for provider ${id} `);
    expect(message).not.toContain("sk-gem");
  });

  it.each(["gem-one", "gem-two"])("name the configured provider id %s in a mid-stream error event", async (id) => {
    h.upstream.behave({ midStreamError: 1 }, { model: `gemini-s-${id}`, times: 1 });
    const res = await chat(`${id}/gemini-s-${id}`, { stream: true });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    const failure = events.map((e) => JSON.parse(e === "[DONE]" ? "{}" : e) as { error?: { message: string } }).find((e) => e.error);
    expect(failure?.error?.message).toMatch(new RegExp(`^provider ${id} `));
    expect(events).not.toContain("[DONE]");
  });
});
