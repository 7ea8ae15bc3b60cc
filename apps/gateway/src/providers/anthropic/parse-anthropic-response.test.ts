import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UpstreamError } from "../../core/upstream-error";
import { loadJson, makeCall, NOW_SECONDS } from "./__fixtures__/fixtures";
import { parseAnthropicResponse } from "./parse-anthropic-response";

const plainCall = makeCall({ messages: [{ role: "user", content: "Hi" }] });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: NOW_SECONDS * 1000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("parseAnthropicResponse", () => {
  it("joins text blocks into content and turns a tool_use block into a tool call, in one turn", () => {
    expect(parseAnthropicResponse(loadJson("text-and-tool-call.response.json"), plainCall)).toStrictEqual({
      id: "msg_01TextTool",
      object: "chat.completion",
      created: NOW_SECONDS,
      model: "claude-sonnet-4-5-20250929",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Let me check the weather.",
            refusal: null,
            tool_calls: [
              {
                id: "toolu_01W",
                type: "function",
                function: { name: "get_weather", arguments: "{\"city\":\"Paris\",\"units\":{\"temp\":\"C\"}}" },
              },
            ],
          },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 412,
        completion_tokens: 57,
        total_tokens: 469,
        prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
      },
      provider: "anthropic",
      routing_policy: "default",
      request_id: "req_test",
    });
  });

  it("returns thinking as reasoning_content and thinking_blocks with signatures exactly as received", () => {
    const completion = parseAnthropicResponse(loadJson("thinking-tool-use.response.json"), plainCall);
    expect(completion.choices[0]?.message).toStrictEqual({
      role: "assistant",
      content: null,
      refusal: null,
      tool_calls: [{ id: "toolu_01T", type: "function", function: { name: "get_weather", arguments: "{}" } }],
      reasoning_content: "The user wants the weather. Call the tool.",
      thinking_blocks: [
        { type: "thinking", thinking: "The user wants the weather. ", signature: "EqQBCkgIARABGAIiQL+s/ig==\u00e9+/=" },
        { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4a" },
        { type: "thinking", thinking: "Call the tool.", signature: "ErcBCkgIAh\u0000\\n sig with spaces  " },
      ],
    });
  });

  it("counts cache reads and writes into prompt_tokens and reports both in prompt_tokens_details", () => {
    const completion = parseAnthropicResponse(loadJson("cache-usage.response.json"), plainCall);
    expect(completion.usage).toStrictEqual({
      prompt_tokens: 21 + 12000 + 1800,
      completion_tokens: 9,
      total_tokens: 21 + 12000 + 1800 + 9,
      prompt_tokens_details: { cached_tokens: 12000, cache_creation_tokens: 1800 },
    });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
  });

  it("returns the json_schema response tool's input as content with finish_reason stop", () => {
    const call = makeCall(loadJson<{ openai: Record<string, unknown> }>("response-format-json-schema.case.json").openai);
    const completion = parseAnthropicResponse(loadJson("json-schema.response.json"), call);
    expect(completion.choices[0]).toStrictEqual({
      index: 0,
      message: { role: "assistant", content: "{\"temperature_c\":18,\"sky\":\"cloudy\"}", refusal: null },
      finish_reason: "stop",
      logprobs: null,
    });
  });

  it("reads a sparse payload leniently: no content is null content, no usage is zero usage", () => {
    const completion = parseAnthropicResponse({ content: [{ type: "server_tool_use" }], stop_reason: "max_tokens" }, plainCall);
    expect(completion.id).toBe("chatcmpl-req_test");
    expect(completion.model).toBe("claude-sonnet-4-5-20250929");
    expect(completion.choices[0]?.message).toStrictEqual({ role: "assistant", content: null, refusal: null });
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.total_tokens).toBe(0);
  });

  it("reports a payload that is not an object as a protocol error", () => {
    expect(() => parseAnthropicResponse("<html>", plainCall)).toThrow(UpstreamError);
    try {
      parseAnthropicResponse(null, plainCall);
    } catch (error) {
      expect((error as UpstreamError).kind).toBe("protocol");
    }
  });
});
