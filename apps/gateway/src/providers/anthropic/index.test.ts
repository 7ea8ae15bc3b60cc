import { describe, expect, it } from "vitest";
import { decodeSse, loadJson, makeCall, readFixture, runTransformer } from "./__fixtures__/fixtures";
import { anthropicAdapter } from "./index";

const ctx = { apiKey: "sk-ant-test", headers: {}, quirks: {} };
const tools = [
  { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
];

describe("anthropicAdapter", () => {
  it("is the anthropic kind", () => {
    expect(anthropicAdapter.kind).toBe("anthropic");
  });

  it("sends a thinking turn it returned back over several turns with every signature byte for byte", () => {
    const first = [{ role: "user", content: "Weather in Paris?" }];
    const completion = anthropicAdapter.parseChatResponse(loadJson("thinking-tool-use.response.json"), makeCall({ messages: first }));
    const assistant = completion.choices[0]!.message;

    const next = makeCall({
      messages: [
        ...first,
        assistant,
        { role: "tool", tool_call_id: "toolu_01T", content: "rain" },
        { role: "user", content: "Thanks" },
      ],
      tools,
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    const request = anthropicAdapter.buildChatRequest(next, ctx);
    const body = JSON.parse(request.body) as { messages: Array<{ role: string; content: unknown[] }> };
    expect(body.messages[1]).toStrictEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "The user wants the weather. ", signature: "EqQBCkgIARABGAIiQL+s/ig==\u00e9+/=" },
        { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4a" },
        { type: "thinking", thinking: "Call the tool.", signature: "ErcBCkgIAh\u0000\\n sig with spaces  " },
        { type: "tool_use", id: "toolu_01T", name: "get_weather", input: {} },
      ],
    });
    // Byte for byte on the wire too: the JSON text carries the signatures exactly as Anthropic sent them.
    const wire = readFixture("thinking-tool-use.response.json");
    const signature = /"signature": ("[^"]*(?:\\.[^"]*)*")/.exec(wire.split("Call the tool.")[1]!)![1]!;
    expect(request.body).toContain(`"signature":${signature}`);
  });

  it("rebuilds a streamed thinking turn from reasoning_content and reasoning_signature deltas", () => {
    const call = makeCall({ messages: [{ role: "user", content: "Weather in Paris?" }] }, { stream: true });
    const { events } = runTransformer(anthropicAdapter.createStreamTransformer(call), decodeSse(readFixture("thinking-tool-use.chunks.txt")));
    let reasoning = "";
    let signature = "";
    let args = "";
    for (const { chunk } of events) {
      const delta = chunk.choices[0]?.delta as { reasoning_content?: string; reasoning_signature?: string; tool_calls?: Array<{ function?: { arguments?: string } }> } | undefined;
      reasoning += delta?.reasoning_content ?? "";
      signature += delta?.reasoning_signature ?? "";
      args += delta?.tool_calls?.[0]?.function?.arguments ?? "";
    }
    const next = makeCall({
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: null,
          reasoning_content: reasoning,
          reasoning_signature: signature,
          tool_calls: [{ id: "toolu_01T", type: "function", function: { name: "get_weather", arguments: args } }],
        },
        { role: "tool", tool_call_id: "toolu_01T", content: "rain" },
      ],
      tools,
    });
    const body = JSON.parse(anthropicAdapter.buildChatRequest(next, ctx).body) as { messages: Array<{ content: unknown[] }> };
    expect(body.messages[1]?.content).toStrictEqual([
      { type: "thinking", thinking: "The user wants the weather. ", signature: "EqQBCkgIARABGAIiQL+s/ig==\u00e9+/=" },
      { type: "tool_use", id: "toolu_01T", name: "get_weather", input: { city: "Paris" } },
    ]);
  });

  it("round-trips a json_schema response format: forced tool out, schema-shaped JSON content back", () => {
    const c = loadJson<{ openai: Record<string, unknown>; anthropic: Record<string, unknown> }>("response-format-json-schema.case.json");
    const call = makeCall(c.openai);
    expect(JSON.parse(anthropicAdapter.buildChatRequest(call, ctx).body)).toStrictEqual(c.anthropic);
    const completion = anthropicAdapter.parseChatResponse(loadJson("json-schema.response.json"), call);
    expect(JSON.parse(completion.choices[0]!.message.content!)).toStrictEqual({ temperature_c: 18, sky: "cloudy" });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });
});
