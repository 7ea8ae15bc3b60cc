// The embedded defaults: what a newcomer gets from the first README command, with no keys at all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, readSse, tempSqlitePath } from "./harness";

let gw: RunningGateway;
let warnings: string[];

beforeAll(async () => {
  const loaded = loadConfig({ RUNESTONE_DATA_FILE: tempSqlitePath() });
  warnings = loaded.warnings;
  gw = await startGateway({ config: loaded.config, logger: createLogger("silent", new LogCapture()), port: 0, validateResponses: true });
});
afterAll(() => gw.close());

const devPost = (body: unknown) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer sk-runestone-dev", "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("the embedded default config", () => {
  it("binds to loopback on port 4001 and warns about the development tenant", () => {
    const { config } = loadConfig({});
    expect(config.server.host).toBe("127.0.0.1");
    expect(config.server.port).toBe(4001);
    expect(warnings.join("\n")).toMatch(/development tenant/);
  });

  it("answers the README's curl example with a chat.completion from mock-echo", async () => {
    const res = await devPost({ model: "mock-echo", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0].message).toMatchObject({ role: "assistant", content: "echo: hi" });
    expect(body.provider).toBe("mock");
    expect(body.usage.total_tokens).toBeGreaterThan(0);
  });

  it("streams the README's example as SSE ending in data: [DONE]", async () => {
    const res = await devPost({ model: "mock-echo", stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    expect(JSON.parse(events[0]!).choices[0].delta.role).toBe("assistant");
  });

  it("refuses OpenAI models clearly when OPENAI_API_KEY is not set", async () => {
    const res = await devPost({ model: "gpt-6-luna", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("provider_not_configured");
    expect(error.message).toContain("OPENAI_API_KEY");
  });

  it("lists every catalog model, marking those whose provider has no key with the variable to set (issue 15)", async () => {
    const res = await fetch(`${gw.url}/v1/models`, { headers: { authorization: "Bearer sk-runestone-dev" } });
    const data = ((await res.json()) as { data: Array<{ id: string; available: boolean; requires_env?: string | null }> }).data;
    expect(data.filter((m) => m.available).map((m) => m.id)).toEqual(["mock-echo"]);
    expect(data.find((m) => m.id === "gpt-6-luna")).toMatchObject({ available: false, requires_env: "OPENAI_API_KEY" });
    expect(data.find((m) => m.id === "claude-haiku-5-5")).toMatchObject({ available: false, requires_env: "ANTHROPIC_API_KEY" });
  });

  it("enables OpenAI models at OPENAI_BASE_URL when OPENAI_API_KEY is set", () => {
    const { config } = loadConfig({ OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    expect(config.providers.openai!.api_key).toBe("sk-x");
    expect(config.providers.openai!.base_url).toBe("http://127.0.0.1:9/v1");
  });
});
