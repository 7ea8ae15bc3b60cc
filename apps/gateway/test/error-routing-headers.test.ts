// An error answered after a provider was called says which one, as a success does: x-runestone-provider, -model
// and -fallbacks of the last candidate tried, with the routing policy, on chat (JSON and streaming), Messages and
// embeddings. An error before any provider was called (an unknown model) names none.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { postJson, startHarness, testConfigYaml, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    configYaml: (url) =>
      testConfigYaml(
        url,
        `resilience:
  retries: { max_retries: 0 }
  breaker: { consecutive_failures: 1000, minimum_requests: 1000 }`,
      ),
  });
});
afterAll(() => h.close());
afterEach(() => h.upstream.reset());

const routing = (res: Response) => ({
  provider: res.headers.get("x-runestone-provider"),
  model: res.headers.get("x-runestone-model"),
  fallbacks: res.headers.get("x-runestone-fallbacks"),
  policy: res.headers.get("x-runestone-routing-policy"),
});
const messages = [{ role: "user", content: "hi" }];

describe("errors after a provider was called", () => {
  it("an upstream 400 relayed on chat names the provider and model that refused it", async () => {
    h.upstream.behave({ status: 400 }, { model: "gpt-4o-mini", times: 1 });
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages });
    expect(res.status).toBe(400);
    expect(routing(res)).toEqual({ provider: "openai", model: "gpt-4o-mini", fallbacks: "0", policy: "default" });
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("a 502 after a fallback names the last candidate tried and counts the fallback, for JSON and streams", async () => {
    for (const stream of [false, true]) {
      h.upstream.behave({ status: 500 }, { model: "primary-model", times: 1 });
      h.upstream.behave({ status: 500 }, { model: "backup-model", times: 1 });
      const res = await postJson(`${h.url}/v1/chat/completions`, { model: "gpt-4o-fallback", messages, stream });
      expect(res.status, `stream ${stream}`).toBe(502);
      expect(routing(res)).toEqual({ provider: "backup", model: "gpt-4o-fallback", fallbacks: "1", policy: "default" });
    }
  });

  it("Messages' error, in Anthropic's shape, names the provider too", async () => {
    h.upstream.behave({ status: 400 }, { model: "gpt-4o-mini", times: 1 });
    const res = await postJson(`${h.url}/v1/messages`, { model: "gpt-4o-mini", max_tokens: 16, messages });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { type: string }).type).toBe("error");
    expect(routing(res)).toMatchObject({ provider: "openai", model: "gpt-4o-mini", fallbacks: "0" });
  });

  it("an embeddings 502 names the provider and model", async () => {
    h.upstream.behave({ status: 500 }, { path: "/v1/embeddings", times: 1 });
    const res = await postJson(`${h.url}/v1/embeddings`, { model: "openai/text-embedding-3-small", input: "hi" });
    expect(res.status).toBe(502);
    expect(routing(res)).toMatchObject({ provider: "openai", model: "openai/text-embedding-3-small", fallbacks: "0" });
  });
});

describe("errors before any provider was called", () => {
  it("an unknown model's 404 names no provider", async () => {
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "no-such-model", messages });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-runestone-provider")).toBeNull();
    expect(res.headers.get("x-runestone-model")).toBeNull();
  });
});
