// OpenAI-compatible providers (Groq, vLLM, Ollama and the like): any number in config, each with its base URL,
// key and extra headers, and their quirks as config switches. Asserted on what reached the upstream.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, readSse, startHarness, type Harness } from "./harness";
import { COMPAT_KEY, interopConfigYaml } from "./messages-test-config";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: interopConfigYaml });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const chat = (body: Record<string, unknown>) => postJson(`${h.url}/v1/chat/completions`, body);
const upstream = () => h.upstream.requests.at(-1)!;
const messages = [
  { role: "developer", content: "be terse" },
  { role: "user", content: "a b" },
];

describe("openai-compatible providers", () => {
  it("send the provider's own key and its configured extra headers", async () => {
    const res = await chat({ model: "llama-3.3-70b", messages });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("groq");
    expect(upstream().path).toBe("/v1/chat/completions");
    expect(upstream().headers).toMatchObject({ authorization: `Bearer ${COMPAT_KEY}`, "x-team": "search", "x-org-id": "org-42" });
    expect((upstream().body as { model: string }).model).toBe("llama-3.3-70b-versatile");
  });

  it("serve several at once, each with its own key", async () => {
    await chat({ model: "compat-chat", messages });
    expect(upstream().headers.authorization).toBe("Bearer sk-plain-compat-key");
    expect(upstream().headers["x-team"]).toBeUndefined();
    await chat({ model: "qwen-2.5", messages });
    expect(upstream().headers.authorization).toBe("Bearer sk-vllm-key");
  });

  it("without quirks, forward the request as sent, developer role and token fields included", async () => {
    const res = await chat({ model: "compat-chat", messages, max_completion_tokens: 40, max_tokens: 50, stream: true });
    expect((await readSse(res)).at(-1)).toBe("[DONE]");
    expect(upstream().body).toStrictEqual({ model: "compat-chat-v1", messages, max_completion_tokens: 40, max_tokens: 50, stream: true, stream_options: { include_usage: true } });
  });

  it("developer_as_system sends developer messages as system", async () => {
    await chat({ model: "llama-3.3-70b", messages });
    expect((upstream().body as { messages: unknown[] }).messages).toStrictEqual([
      { role: "system", content: "be terse" },
      { role: "user", content: "a b" },
    ]);
  });

  it("no_stream_options leaves stream_options out, even when the client sent it, and the stream still completes", async () => {
    const res = await chat({ model: "llama-3.3-70b", messages, stream: true, stream_options: { include_usage: true } });
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    expect(events.slice(0, -1).map((e) => JSON.parse(e).choices[0]?.delta?.content ?? "").join("")).toBe("echo: a b");
    expect(upstream().body).toMatchObject({ stream: true });
    expect(upstream().body).not.toHaveProperty("stream_options");
  });

  it("max_tokens_field: max_tokens renames max_completion_tokens", async () => {
    await chat({ model: "llama-3.3-70b", messages, max_completion_tokens: 64 });
    expect(upstream().body).toMatchObject({ max_tokens: 64 });
    expect(upstream().body).not.toHaveProperty("max_completion_tokens");
  });

  it("max_tokens_field: max_completion_tokens renames max_tokens", async () => {
    await chat({ model: "qwen-2.5", messages, max_tokens: 32 });
    expect(upstream().body).toMatchObject({ max_completion_tokens: 32 });
    expect(upstream().body).not.toHaveProperty("max_tokens");
    expect((upstream().body as { messages: Array<{ role: string }> }).messages[0]!.role).toBe("developer");
  });

  it("apply their quirks to requests translated from /v1/messages too", async () => {
    const res = await postJson(`${h.url}/v1/messages`, { model: "qwen-2.5", max_tokens: 20, stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("event: message_stop");
    expect(upstream().body).toStrictEqual({ model: "Qwen/Qwen2.5-7B-Instruct", messages: [{ role: "user", content: "hi" }], max_completion_tokens: 20, stream: true, stream_options: { include_usage: true } });

    await postJson(`${h.url}/v1/messages`, { model: "llama-3.3-70b", max_tokens: 20, stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(upstream().body).toStrictEqual({ model: "llama-3.3-70b-versatile", messages: [{ role: "user", content: "hi" }], max_tokens: 20, stream: true });
  });
});
