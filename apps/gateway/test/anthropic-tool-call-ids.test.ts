// Tool call ids from another provider reach an Anthropic-type provider in a form Anthropic accepts
// (^[a-zA-Z0-9_-]+$): a conversation that falls back from a Gemini model (ids `<id>__thought__<base64>`, with +/=)
// to a Claude model carries Gemini's ids in its history. The mock refuses an invalid id as Anthropic does.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, readSse, startHarness, TENANT_KEY, tempSqlitePath, type Harness } from "./harness";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    configYaml: (url) => `
server: { host: 127.0.0.1, port: 0 }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 0 }
providers:
  ant: { type: anthropic, base_url: "${url}", api_key: sk-ant-upstream }
  gem: { type: gemini, base_url: "${url}", api_key: sk-gem-upstream }
models:
  gem-then-claude:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: gem, model: gemini-fb }, { provider: ant, model: claude-fb }]
tenants:
  - { id: tenant-a, keys: [${TENANT_KEY}] }
`,
  });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.upstream.reset());

const GEMINI_ID = "call_7__thought__CiQBjz1rX+/abc=";
const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }];
const history = [
  { role: "user", content: "weather in Oslo?" },
  { role: "assistant", content: null, tool_calls: [{ id: GEMINI_ID, type: "function", function: { name: "get_weather", arguments: "{}" } }] },
  { role: "tool", tool_call_id: GEMINI_ID, content: "4C" },
];

type Block = { type: string; id?: string; tool_use_id?: string };
const sentIds = () => {
  const req = h.upstream.requests.find((r) => r.path === "/v1/messages")!;
  const messages = (req.body as { messages: Array<{ content: Block[] }> }).messages;
  return [messages[1]!.content.find((b) => b.type === "tool_use")!.id, messages[2]!.content.find((b) => b.type === "tool_result")!.tool_use_id];
};

describe("tool call ids sent to an Anthropic-type provider", () => {
  it("a Gemini-style id in the history is sent as a valid id, the same for the call and its result", async () => {
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "ant/claude-x", messages: history, tools });
    expect(res.status).toBe(200);
    const [use, result] = sentIds();
    expect(use).toMatch(/^rs_[0-9a-f]{40}$/);
    expect(result).toBe(use);
  });

  it("a conversation falling back from a Gemini deployment to a Claude one with Gemini's tool history is answered, streamed too", async () => {
    h.upstream.behave({ status: 503 }, { model: "gemini-fb" });
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "gem-then-claude", messages: history, tools });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("ant");
    expect(sentIds()[0]).toMatch(/^rs_[0-9a-f]{40}$/);

    h.upstream.reset();
    h.upstream.behave({ status: 503 }, { model: "gemini-fb" });
    const stream = await postJson(`${h.url}/v1/chat/completions`, { model: "gem-then-claude", messages: history, tools, stream: true });
    expect(stream.status).toBe(200);
    const events = await readSse(stream);
    expect(events).toContain("[DONE]");
    expect(events.some((e) => e.includes('"error"'))).toBe(false);
  });

  it("keeps an id Anthropic accepts", async () => {
    const valid = history.map((m) => JSON.parse(JSON.stringify(m).replaceAll(GEMINI_ID, "toolu_01A-b_c")) as Record<string, unknown>);
    const res = await postJson(`${h.url}/v1/chat/completions`, { model: "ant/claude-x", messages: valid, tools });
    expect(res.status).toBe(200);
    expect(sentIds()).toStrictEqual(["toolu_01A-b_c", "toolu_01A-b_c"]);
  });
});
