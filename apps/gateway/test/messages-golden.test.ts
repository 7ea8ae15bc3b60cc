// The reverse translation's golden cases end to end: each Anthropic request goes through the gateway's
// /v1/messages to an OpenAI-shaped deployment on the mock upstream, which must receive exactly the chat request
// of the fixture; the client must get a valid Anthropic message (or event stream) back.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadJson, requestCases, type ReverseRequestCase } from "../src/endpoints/messages/__fixtures__/fixtures";
import { postJson, startHarness, type Harness } from "./harness";
import { interopConfigYaml } from "./messages-test-config";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: interopConfigYaml });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

/** The deployment name the gateway sends upstream for each public model of the cases. */
const upstreamModel: Record<string, string> = {
  "gpt-4o-mini": "gpt-4o-mini",
  "o4-mini": "o4-mini",
  "llama-3.3-70b": "llama-3.3-70b-versatile",
  "compat-chat": "compat-chat-v1",
};

describe("Messages golden cases through the gateway to an OpenAI-shaped upstream", () => {
  it.each(requestCases)("%s reaches the upstream as the fixture's chat request and answers a message", async (name) => {
    const c = loadJson<ReverseRequestCase>(`${name}.case.json`);
    const res = await postJson(`${h.url}/v1/messages`, c.anthropic);
    expect(res.status).toBe(200);

    const expected: Record<string, unknown> = { ...c.openai, model: upstreamModel[c.anthropic.model] };
    // The OpenAI provider asks for usage in streams (the groq-style quirk of other providers turns it off).
    if (c.anthropic.stream) expected.stream_options = { include_usage: true };
    expect(h.upstream.requests).toHaveLength(1);
    expect(h.upstream.requests[0]!.path).toBe("/v1/chat/completions");
    expect(h.upstream.requests[0]!.body).toStrictEqual(expected);

    if (c.anthropic.stream) {
      const text = await res.text();
      const types = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
      expect(types[0]).toBe("message_start");
      expect(types.slice(-2)).toStrictEqual(["message_delta", "message_stop"]);
    } else {
      const message = (await res.json()) as { type: string; role: string; content: Array<{ type: string }>; stop_reason: string };
      expect(message).toMatchObject({ type: "message", role: "assistant" });
      expect(message.content.length).toBeGreaterThan(0);
      expect(["end_turn", "tool_use", "max_tokens"]).toContain(message.stop_reason);
    }
  });
});
