// Errors of every provider type name the provider's configured id, never its kind: with two Anthropic- or two
// Gemini-type providers configured, the caller can tell which one failed (OpenAI-type ones always did).
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
  gem-one: { type: gemini, base_url: "${url}", api_key: sk-gem-one-upstream }
  gem-two: { type: gemini, base_url: "${url}", api_key: sk-gem-two-upstream }
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

/** A request to `<id>/<model>` whose upstream answer is `behavior` (once). */
const failing = (id: string, model: string, behavior: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  h.upstream.behave(behavior, { model: `${model}-${id}`, times: 1 });
  return postJson(`${h.url}/v1/chat/completions`, { model: `${id}/${model}-${id}`, messages: [{ role: "user", content: "a b c" }], ...extra });
};

describe("errors name the configured provider id", () => {
  it.each(["ant-one", "ant-two", "gem-one", "gem-two", "oai"])("%s, when the upstream refuses the request", async (id) => {
    const res = await failing(id, "x", { status: 400 });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(new RegExp(`^provider ${id} rejected the request: `));
  });

  it.each(["ant-one", "ant-two", "gem-one", "gem-two"])("%s, when its key is refused", async (id) => {
    const res = await failing(id, "k", { status: 401 });
    expect(res.status).toBe(502);
    const message = (await errorOf(res)).message;
    expect(message).toContain(`for provider ${id} `);
    expect(message).not.toMatch(/sk-(ant|gem)/);
  });

  it.each(["ant-one", "ant-two", "gem-one", "gem-two"])("%s, in a mid-stream error event", async (id) => {
    const res = await failing(id, "s", { midStreamError: 1 }, { stream: true });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    const failure = events.map((e) => JSON.parse(e === "[DONE]" ? "{}" : e) as { error?: { message: string } }).find((e) => e.error);
    expect(failure?.error?.message).toMatch(new RegExp(`^provider ${id} `));
    expect(events).not.toContain("[DONE]");
  });

  it.each(["ant-one", "ant-two"])("%s, when Anthropic says it is overloaded (529)", async (id) => {
    const res = await failing(id, "o", { status: 529 });
    expect(res.status).toBe(503);
    expect((await errorOf(res)).message).toMatch(new RegExp(`^provider ${id} is overloaded: `));
  });
});
