import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../index.js";
import { post, send } from "../testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const chat = (body: Record<string, unknown>) => post(`${mock.url}/v1/chat/completions`, { model: "gpt-4o-mini", ...body });
const weatherTools = [
  { type: "function", function: { name: "get_weather", parameters: { type: "object" } } },
  { type: "function", function: { name: "get_time", parameters: { type: "object" } } },
];

describe("POST /v1/chat/completions", () => {
  it("answers a chat.completion that echoes the last user message with deterministic usage", async () => {
    const res = await chat({
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello there world" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = await res.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "gpt-4o-mini",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "echo: hello there world", refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 2 + 3 + 3 + 3,
        completion_tokens: 4,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      system_fingerprint: expect.any(String),
    });
  });

  it("answers without usage, JSON and streamed, with the omitUsage directive", async () => {
    const json = await (await chat({ model: "gpt-4o-mini::omitUsage=1", messages: [{ role: "user", content: "hi" }] })).json();
    expect(json).not.toHaveProperty("usage");
    expect(json.choices[0].message.content).toBe("echo: hi");
    const sse = await (await chat({ model: "gpt-4o-mini::omitUsage=1", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] })).text();
    expect(sse).toContain("data: [DONE]");
    expect(sse).not.toMatch(/"usage":\{/);
  });

  it("joins the text parts of a multi-part user message", async () => {
    const res = await chat({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
            { type: "text", text: "this" },
          ],
        },
      ],
    });
    expect((await res.json()).choices[0].message.content).toBe("echo: what is this");
  });

  it("calls the first tool with the user text as arguments when tools are offered", async () => {
    const body = await (await chat({ messages: [{ role: "user", content: "in Paris" }], tools: weatherTools })).json();
    const choice = body.choices[0];
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: "function",
        function: { name: "get_weather", arguments: JSON.stringify({ input: "in Paris" }) },
      },
    ]);
  });

  it("calls the tool that tool_choice names", async () => {
    const body = await (
      await chat({
        messages: [{ role: "user", content: "now" }],
        tools: weatherTools,
        tool_choice: { type: "function", function: { name: "get_time" } },
      })
    ).json();
    expect(body.choices[0].message.tool_calls[0].function.name).toBe("get_time");
  });

  it("answers with text when tool_choice is none or the last message is a tool result", async () => {
    const none = await (
      await chat({ messages: [{ role: "user", content: "hi" }], tools: weatherTools, tool_choice: "none" })
    ).json();
    expect(none.choices[0].message).toEqual({ role: "assistant", content: "echo: hi", refusal: null });

    const afterTool = await (
      await chat({
        messages: [
          { role: "user", content: "weather?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "call_1", content: "sunny" },
        ],
        tools: weatherTools,
      })
    ).json();
    expect(afterTool.choices[0].finish_reason).toBe("stop");
    expect(afterTool.choices[0].message.content).toBe("echo: weather?");
  });

  it("answers a JSON string when response_format asks for a json_schema", async () => {
    const body = await (
      await chat({
        messages: [{ role: "user", content: "give json" }],
        response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } },
      })
    ).json();
    expect(JSON.parse(body.choices[0].message.content)).toEqual({ echo: "give json" });
  });

  it("gives n choices and counts completion tokens for all of them", async () => {
    const body = await (await chat({ messages: [{ role: "user", content: "a b" }], n: 3 })).json();
    expect(body.choices.map((c: { index: number }) => c.index)).toEqual([0, 1, 2]);
    expect(body.usage.completion_tokens).toBe(9);
  });

  it("truncates the reply at max_completion_tokens with finish_reason length", async () => {
    const body = await (
      await chat({ messages: [{ role: "user", content: "one two three four" }], max_completion_tokens: 2 })
    ).json();
    expect(body.choices[0].message.content).toBe("echo: one");
    expect(body.choices[0].finish_reason).toBe("length");
    expect(body.usage.completion_tokens).toBe(2);
  });

  it("uses the reply and usage that a behaviour sets", async () => {
    mock.behave({ reply: { content: "fixed" }, usage: { prompt_tokens: 100, completion_tokens: 7, cached_tokens: 40 } });
    const body = await (await chat({ messages: [{ role: "user", content: "x" }] })).json();
    expect(body.choices[0].message.content).toBe("fixed");
    expect(body.usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 7, total_tokens: 107 });
    expect(body.usage.prompt_tokens_details.cached_tokens).toBe(40);
  });

  it("refuses a body that is not JSON with a 400 in OpenAI's error shape", async () => {
    const res = await send(`${mock.url}/v1/chat/completions`, { method: "POST", body: "{nope" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", param: null });
  });

  it("refuses a request without messages like OpenAI does", async () => {
    const res = await post(`${mock.url}/v1/chat/completions`, { model: "gpt-4o-mini" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toEqual({
      message: "Missing required parameter: 'messages'.",
      type: "invalid_request_error",
      param: "messages",
      code: "missing_required_parameter",
    });
  });

  it("answers unknown routes with a 404 in OpenAI's error shape", async () => {
    const res = await send(`${mock.url}/v1/nothing`, { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { message: "Invalid URL (POST /v1/nothing)", type: "invalid_request_error", param: null, code: null },
    });
  });
});
