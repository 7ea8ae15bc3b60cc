import { describe, expect, it } from "vitest";
import { loadJson, makeCall, type RequestCase, UPSTREAM_MODEL } from "./__fixtures__/fixtures";
import { buildAnthropicRequest } from "./build-anthropic-request";
import { RequestTranslationError } from "../../core/request-translation-error";

const ctx = { apiKey: "sk-ant-test", headers: {}, quirks: {} };

function upstreamBody(openai: Record<string, unknown>, call: Parameters<typeof makeCall>[1] = {}): Record<string, unknown> {
  return JSON.parse(buildAnthropicRequest(makeCall(openai, call), ctx).body) as Record<string, unknown>;
}

function expectCase(name: string): void {
  const c = loadJson<RequestCase>(`${name}.case.json`);
  expect(upstreamBody(c.openai, c.call)).toStrictEqual(c.anthropic);
}

const user = [{ role: "user", content: "Hi" }];
const weatherTool = {
  type: "function",
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};

describe("buildAnthropicRequest", () => {
  it("posts to /v1/messages with the key, the API version and the configured extra headers", () => {
    const request = buildAnthropicRequest(makeCall({ messages: user }), {
      apiKey: "sk-ant-test",
      headers: { "anthropic-beta": "prompt-caching-2024-07-31" },
      quirks: {},
    });
    expect(request.path).toBe("/v1/messages");
    expect(request.headers).toStrictEqual({
      "content-type": "application/json",
      "x-api-key": "sk-ant-test",
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "prompt-caching-2024-07-31",
    });
  });

  it("sends an assistant turn holding only tool calls as tool_use blocks, with no empty text", () => {
    expectCase("tool-only-assistant-turn");
  });

  it("merges three parallel tool results, and the user message after them, into one user turn", () => {
    expectCase("parallel-tool-results");
  });

  it("hoists system and developer messages from mid-conversation into system and keeps roles alternating", () => {
    expectCase("system-mid-conversation");
  });

  it("keeps a tool schema with $defs, $ref and additionalProperties whole, and defaults a missing one", () => {
    expectCase("tool-schema-defs");
  });

  it("sends a base64 image, a URL image and PDFs (data URL and raw base64) as image and document blocks", () => {
    expectCase("images-and-pdf");
  });

  it("sends thinking blocks back first in their turns with signatures byte for byte, and drops temperature", () => {
    expectCase("thinking-history");
  });

  it("emulates a json_schema response format with a forced tool named after the schema", () => {
    expectCase("response-format-json-schema");
  });

  it("maps max_completion_tokens, stop, user, a clamped temperature, top_p and stream, dropping unknown sampling fields", () => {
    expectCase("every-sampling-param");
  });

  it("takes max_tokens when max_completion_tokens is absent, then the catalog default, then 4096", () => {
    expect(upstreamBody({ messages: user, max_tokens: 77 }, { defaultMaxTokens: 1000 }).max_tokens).toBe(77);
    expect(upstreamBody({ messages: user }, { defaultMaxTokens: 1000 }).max_tokens).toBe(1000);
    expect(upstreamBody({ messages: user }).max_tokens).toBe(4096);
    expect(upstreamBody({ messages: user }).model).toBe(UPSTREAM_MODEL);
  });

  it("sends stop arrays as they are and a temperature inside [0, 1] unchanged", () => {
    const body = upstreamBody({ messages: user, stop: ["a", "b"], temperature: 0.7 });
    expect(body.stop_sequences).toStrictEqual(["a", "b"]);
    expect(body.temperature).toBe(0.7);
  });

  describe("tool_choice", () => {
    it.each([
      ["none", { type: "none" }],
      ["auto", { type: "auto" }],
      ["required", { type: "any" }],
      [{ type: "function", function: { name: "get_weather" } }, { type: "tool", name: "get_weather" }],
    ])("maps %j to %j", (choice, expected) => {
      expect(upstreamBody({ messages: user, tools: [weatherTool], tool_choice: choice }).tool_choice).toStrictEqual(expected);
    });

    it("sends only the allowed tools for allowed_tools, with its mode as the choice", () => {
      const timeTool = { type: "function", function: { name: "get_time" } };
      const sent = upstreamBody({
        messages: user,
        tools: [weatherTool, timeTool],
        tool_choice: { type: "allowed_tools", allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "get_time" } }] } },
      });
      expect((sent.tools as Array<{ name: string }>).map((t) => t.name)).toStrictEqual(["get_time"]);
      expect(sent.tool_choice).toStrictEqual({ type: "any" });
    });

    it("carries parallel_tool_calls false as disable_parallel_tool_use on auto, any and a named tool", () => {
      const named = { type: "function", function: { name: "get_weather" } };
      const body = (choice: unknown) =>
        upstreamBody({ messages: user, tools: [weatherTool], tool_choice: choice, parallel_tool_calls: false });
      expect(body(named).tool_choice).toStrictEqual({ type: "tool", name: "get_weather", disable_parallel_tool_use: true });
      expect(body("required").tool_choice).toStrictEqual({ type: "any", disable_parallel_tool_use: true });
      expect(body(undefined).tool_choice).toStrictEqual({ type: "auto", disable_parallel_tool_use: true });
      expect(body("none").tool_choice).toStrictEqual({ type: "none" });
    });

    it("sends no tool_choice when there are no tools", () => {
      const body = upstreamBody({ messages: user, tool_choice: "required", parallel_tool_calls: false });
      expect(body).not.toHaveProperty("tools");
      expect(body).not.toHaveProperty("tool_choice");
    });

    it("reads the deprecated functions and function_call as tools and tool_choice", () => {
      const body = upstreamBody({
        messages: user,
        functions: [{ name: "get_weather", description: "Weather." }],
        function_call: { name: "get_weather" },
      });
      expect(body.tools).toStrictEqual([
        { name: "get_weather", description: "Weather.", input_schema: { type: "object", properties: {} } },
      ]);
      expect(body.tool_choice).toStrictEqual({ type: "tool", name: "get_weather" });
    });
  });

  describe("response_format", () => {
    const jsonSchema = { type: "json_schema", json_schema: { name: "weather", schema: { type: "object", properties: {} } } };

    it("lets the model choose between the client's tools and the response tool, but not plain text", () => {
      const body = upstreamBody({ messages: user, tools: [weatherTool], response_format: jsonSchema });
      expect((body.tools as Array<{ name: string }>).map((t) => t.name)).toStrictEqual(["get_weather", "weather"]);
      expect(body.tool_choice).toStrictEqual({ type: "any" });
    });

    it("adds no response tool when the client forces one of its own tools", () => {
      const body = upstreamBody({ messages: user, tools: [weatherTool], tool_choice: "required", response_format: jsonSchema });
      expect((body.tools as Array<{ name: string }>).map((t) => t.name)).toStrictEqual(["get_weather"]);
      expect(body.tool_choice).toStrictEqual({ type: "any" });
    });

    it("adds a system instruction for json_object", () => {
      const body = upstreamBody({
        messages: [{ role: "system", content: "Be brief." }, ...user],
        response_format: { type: "json_object" },
      });
      expect(body.system).toStrictEqual([
        { type: "text", text: "Be brief." },
        { type: "text", text: "Answer with a single JSON object only: no prose and no code fences around it." },
      ]);
    });
  });

  describe("reasoning_effort", () => {
    it.each([
      ["low", 1024],
      ["medium", 4096],
      ["high", 16384],
    ])("maps %s to a thinking budget of %i tokens and leaves temperature out", (effort, budget) => {
      const body = upstreamBody({ messages: user, reasoning_effort: effort, max_tokens: 32000, temperature: 0.2 });
      expect(body.thinking).toStrictEqual({ type: "enabled", budget_tokens: budget });
      expect(body.max_tokens).toBe(32000);
      expect(body).not.toHaveProperty("temperature");
    });

    it("raises an implicit output cap above the budget, since Anthropic requires budget < max_tokens", () => {
      const body = upstreamBody({ messages: user, reasoning_effort: "high" });
      expect(body.thinking).toStrictEqual({ type: "enabled", budget_tokens: 16384 });
      expect(body.max_tokens).toBe(16384 + 4096);
    });

    it("shrinks the budget under an explicit cap, and leaves thinking off below Anthropic's minimum", () => {
      expect(upstreamBody({ messages: user, reasoning_effort: "high", max_tokens: 3000 }).thinking).toStrictEqual({
        type: "enabled",
        budget_tokens: 2999,
      });
      expect(upstreamBody({ messages: user, reasoning_effort: "low", max_tokens: 1000 })).not.toHaveProperty("thinking");
    });

    it("sends no thinking for an effort without a budget", () => {
      expect(upstreamBody({ messages: user, reasoning_effort: "minimal" })).not.toHaveProperty("thinking");
    });
  });

  describe("requests Anthropic cannot express", () => {
    function translationError(body: Record<string, unknown>): RequestTranslationError {
      try {
        buildAnthropicRequest(makeCall(body), ctx);
      } catch (error) {
        if (error instanceof RequestTranslationError) return error;
        throw error;
      }
      throw new Error("expected a RequestTranslationError");
    }

    it("refuses malformed tool call arguments, naming the param", () => {
      const error = translationError({
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Sure." },
          { role: "user", content: "Weather?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "toolu_X", type: "function", function: { name: "get_weather", arguments: "{\"city\": Par" } }],
          },
        ],
      });
      expect(error.param).toBe("messages.3.tool_calls.0.function.arguments");
      expect(error.message).toMatch(/not valid JSON/);
      expect(error.message).not.toContain("Par");
    });

    it("refuses tool call arguments that are JSON but not an object", () => {
      const error = translationError({
        messages: [
          ...user,
          { role: "assistant", content: null, tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "[1]" } }] },
        ],
      });
      expect(error.param).toBe("messages.1.tool_calls.0.function.arguments");
    });

    it("refuses file ids, non-PDF files, audio and n > 1", () => {
      const part = (p: unknown) => ({ messages: [{ role: "user", content: [p] }] });
      expect(translationError(part({ type: "file", file: { file_id: "file-1" } })).param).toBe("messages.0.content.0.file.file_id");
      expect(translationError(part({ type: "file", file: { file_data: "data:text/csv;base64,YQ==" } })).param).toBe(
        "messages.0.content.0.file.file_data",
      );
      expect(translationError(part({ type: "input_audio", input_audio: { data: "", format: "wav" } })).param).toBe(
        "messages.0.content.0.type",
      );
      expect(translationError({ messages: user, n: 2 }).param).toBe("n");
    });

    it("refuses a part type OpenAI adds later, naming the part's type", () => {
      const error = translationError({ messages: [{ role: "user", content: [{ type: "a_new_part", a_new_part: {} }] }] });
      expect(error.param).toBe("messages.0.content.0.type");
      expect(error.message).toContain("a_new_part");
    });

    it("refuses custom tools, named custom choices, unknown choices and custom tool calls, naming the field", () => {
      const custom = { type: "custom", custom: { name: "run_sql" } };
      expect(translationError({ messages: user, tools: [weatherTool, custom] }).param).toBe("tools.1.type");
      expect(translationError({ messages: user, tools: [weatherTool], tool_choice: { type: "custom", custom: { name: "run_sql" } } }).param).toBe(
        "tool_choice.type",
      );
      expect(translationError({ messages: user, tools: [weatherTool], tool_choice: "a_new_mode" }).param).toBe("tool_choice");
      const allowedCustom = { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [{ type: "custom", custom: { name: "run_sql" } }] } };
      expect(translationError({ messages: user, tools: [weatherTool], tool_choice: allowedCustom }).param).toBe("tool_choice.allowed_tools.tools.0");
      const history = [
        ...user,
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "custom", custom: { name: "run_sql", input: "SELECT 1" } }] },
        { role: "tool", tool_call_id: "call_1", content: "1" },
      ];
      expect(translationError({ messages: history }).param).toBe("messages.1.tool_calls.0.type");
    });

    it("refuses response formats and output modalities it cannot produce", () => {
      expect(translationError({ messages: user, response_format: { type: "a_new_format" } }).param).toBe("response_format.type");
      expect(translationError({ messages: user, modalities: ["text", "audio"], audio: { voice: "alloy", format: "mp3" } }).param).toBe("modalities");
      expect(upstreamBody({ messages: user, modalities: ["text"] })).not.toHaveProperty("modalities");
    });
  });

  it("pairs a legacy function message with the assistant function_call it answers", () => {
    const body = upstreamBody({
      messages: [
        ...user,
        { role: "assistant", content: null, function_call: { name: "get_weather", arguments: "{\"city\":\"Oslo\"}" } },
        { role: "function", name: "get_weather", content: "4C" },
      ],
    });
    expect(body.messages).toStrictEqual([
      { role: "user", content: [{ type: "text", text: "Hi" }] },
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "call_legacy_messages_1", name: "get_weather", input: { city: "Oslo" } }],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_legacy_messages_1", content: "4C" }] },
    ]);
  });

  it("sends tool call ids Anthropic would refuse (a Gemini id after a fallback) mapped, the same for the call and its result", () => {
    const history = (id: string) =>
      upstreamBody({
        messages: [
          ...user,
          { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name: "get_weather", arguments: "{}" } }] },
          { role: "tool", tool_call_id: id, content: "4C" },
        ],
      }).messages as Array<{ content: Array<{ id?: string; tool_use_id?: string }> }>;
    const gemini = "call_1__thought__ab+c/d==";
    const [, call, result] = history(gemini);
    expect(call!.content[0]!.id).toBe("rs_e7149f91a0d83c3a3bc3fb09fdfe12d25849fb09");
    expect(result!.content[0]!.tool_use_id).toBe(call!.content[0]!.id);
    expect(history("call_a.b")[1]!.content[0]!.id).toMatch(/^rs_[0-9a-f]{40}$/);
    const [, kept, keptResult] = history("toolu_01A-b_c");
    expect([kept!.content[0]!.id, keptResult!.content[0]!.tool_use_id]).toStrictEqual(["toolu_01A-b_c", "toolu_01A-b_c"]);
  });

  it("sends a conversation that starts with the assistant as it is, inventing no user turn", () => {
    const body = upstreamBody({ messages: [{ role: "assistant", content: "Hello, how can I help?" }, ...user] });
    expect(body.messages).toStrictEqual([
      { role: "assistant", content: [{ type: "text", text: "Hello, how can I help?" }] },
      { role: "user", content: [{ type: "text", text: "Hi" }] },
    ]);
  });

  it("trims trailing whitespace off a final assistant prefill, which Anthropic rejects", () => {
    const body = upstreamBody({ messages: [...user, { role: "assistant", content: "The answer is: " }] });
    expect((body.messages as unknown[])[1]).toStrictEqual({ role: "assistant", content: [{ type: "text", text: "The answer is:" }] });
  });
});
