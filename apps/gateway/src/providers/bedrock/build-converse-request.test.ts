import { describe, expect, it } from "vitest";
import type { ChatCall } from "../../core/provider-contract";
import { RequestTranslationError } from "../../core/request-translation-error";
import { buildConverseRequest } from "./build-converse-request";

const call = (body: Record<string, unknown>): ChatCall =>
  ({ body, upstreamModel: "amazon.nova-lite-v1:0", publicModel: "nova", stream: false, clientWantsUsage: false, requestId: "r1" }) as ChatCall;

describe("buildConverseRequest", () => {
  it("refuses, naming the field, what Converse cannot express instead of dropping it", () => {
    const user = [{ role: "user", content: "hi" }];
    const refused = (extra: Record<string, unknown>) => {
      try {
        buildConverseRequest(call({ messages: user, ...extra }));
      } catch (err) {
        expect(err).toBeInstanceOf(RequestTranslationError);
        return (err as RequestTranslationError).param;
      }
      return undefined;
    };
    expect(refused({ response_format: { type: "json_object" } })).toBe("response_format.type");
    expect(refused({ n: 2 })).toBe("n");
    expect(refused({ logprobs: true })).toBe("logprobs");
    expect(refused({ response_format: { type: "text" }, n: 1, logprobs: false, seed: 7 })).toBeUndefined();
  });

  it("maps response_format json_schema to outputConfig.textFormat, the schema as JSON text", () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
    const input = buildConverseRequest(call({ messages: [{ role: "user", content: "x" }], response_format: { type: "json_schema", json_schema: { name: "answer", description: "the answer", schema, strict: true } } }));
    expect(input.outputConfig).toStrictEqual({ textFormat: { type: "json_schema", structure: { jsonSchema: { schema: JSON.stringify(schema), name: "answer", description: "the answer" } } } });
    expect(buildConverseRequest(call({ messages: [{ role: "user", content: "x" }] })).outputConfig).toBeUndefined();
  });

  it("puts system and developer text in system blocks and merges consecutive same-role turns", () => {
    const input = buildConverseRequest(
      call({
        messages: [
          { role: "system", content: "be terse" },
          { role: "developer", content: [{ type: "text", text: "no emoji" }] },
          { role: "user", content: "hi" },
          { role: "user", content: "there" },
        ],
      }),
    );
    expect(input.modelId).toBe("amazon.nova-lite-v1:0");
    expect(input.system).toStrictEqual([{ text: "be terse" }, { text: "no emoji" }]);
    expect(input.messages).toStrictEqual([{ role: "user", content: [{ text: "hi" }, { text: "there" }] }]);
  });

  it("maps sampling fields to inferenceConfig, max_completion_tokens winning over max_tokens", () => {
    const input = buildConverseRequest(call({ messages: [{ role: "user", content: "x" }], max_tokens: 5, max_completion_tokens: 9, temperature: 0.5, top_p: 0.9, stop: "END" }));
    expect(input.inferenceConfig).toStrictEqual({ maxTokens: 9, temperature: 0.5, topP: 0.9, stopSequences: ["END"] });
  });

  it("clamps temperature to Converse's 0..1 (OpenAI's goes to 2), keeping values within it", () => {
    const temperature = (t: number) => buildConverseRequest(call({ messages: [{ role: "user", content: "x" }], temperature: t })).inferenceConfig?.temperature;
    expect(temperature(1.7)).toBe(1);
    expect(temperature(2)).toBe(1);
    expect(temperature(0.7)).toBe(0.7);
    expect(temperature(0)).toBe(0);
  });

  it("maps tools, tool_choice, tool calls and tool results (consecutive results in one user turn)", () => {
    const input = buildConverseRequest(
      call({
        messages: [
          { role: "user", content: "weather?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "t1", type: "function", function: { name: "w", arguments: '{"city":"Paris"}' } },
              { id: "t2", type: "function", function: { name: "w", arguments: '{"city":"Oslo"}' } },
            ],
          },
          { role: "tool", tool_call_id: "t1", content: "sunny" },
          { role: "tool", tool_call_id: "t2", content: [{ type: "text", text: "rain" }] },
        ],
        tools: [{ type: "function", function: { name: "w", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
        tool_choice: { type: "function", function: { name: "w" } },
      }),
    );
    expect(input.toolConfig).toStrictEqual({
      tools: [{ toolSpec: { name: "w", inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } } } }],
      toolChoice: { tool: { name: "w" } },
    });
    expect(input.messages).toStrictEqual([
      { role: "user", content: [{ text: "weather?" }] },
      {
        role: "assistant",
        content: [
          { toolUse: { toolUseId: "t1", name: "w", input: { city: "Paris" } } },
          { toolUse: { toolUseId: "t2", name: "w", input: { city: "Oslo" } } },
        ],
      },
      {
        role: "user",
        content: [
          { toolResult: { toolUseId: "t1", content: [{ text: "sunny" }] } },
          { toolResult: { toolUseId: "t2", content: [{ text: "rain" }] } },
        ],
      },
    ]);
  });

  it("declares tools for a history of tool calls whatever tool_choice says: the request's without a toolChoice for none, or minimal ones named after the calls", () => {
    const messages = [
      { role: "user", content: "x" },
      { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "w", arguments: "{}" } }, { id: "t2", type: "function", function: { name: "v", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "t1", content: "a" },
      { role: "tool", tool_call_id: "t2", content: "b" },
    ];
    const tools = [{ type: "function", function: { name: "w", parameters: { type: "object", properties: {} } } }];
    expect(buildConverseRequest(call({ messages, tools, tool_choice: "none" })).toolConfig).toStrictEqual({ tools: [{ toolSpec: { name: "w", inputSchema: { json: { type: "object", properties: {} } } } }] });
    expect(buildConverseRequest(call({ messages })).toolConfig).toStrictEqual({
      tools: [{ toolSpec: { name: "w", inputSchema: { json: { type: "object" } } } }, { toolSpec: { name: "v", inputSchema: { json: { type: "object" } } } }],
    });
    expect(buildConverseRequest(call({ messages, tools: [] })).toolConfig?.tools).toHaveLength(2);
  });

  it("sends no toolConfig when tool_choice is none, and any for required", () => {
    const tools = [{ type: "function", function: { name: "w" } }];
    expect(buildConverseRequest(call({ messages: [{ role: "user", content: "x" }], tools, tool_choice: "none" })).toolConfig).toBeUndefined();
    expect(buildConverseRequest(call({ messages: [{ role: "user", content: "x" }], tools, tool_choice: "required" })).toolConfig?.toolChoice).toStrictEqual({ any: {} });
  });

  it("maps a tool call id Bedrock would refuse to the same valid id in every request, and keeps a valid one", () => {
    const ids = (id: string) => {
      const input = buildConverseRequest(call({ messages: [{ role: "user", content: "x" }, { role: "assistant", tool_calls: [{ id, type: "function", function: { name: "w", arguments: "{}" } }] }, { role: "tool", tool_call_id: id, content: "ok" }] }));
      return [input.messages![1]!.content![0]!.toolUse!.toolUseId, input.messages![2]!.content![0]!.toolResult!.toolUseId];
    };
    const [use, result] = ids("__thought__a+b/c=");
    expect(use).toMatch(/^[a-zA-Z0-9_.:-]{1,64}$/);
    expect(result).toBe(use);
    expect(ids("__thought__a+b/c=")).toStrictEqual([use, use]);
    expect(ids("__thought__a+b/c=X")[0]).not.toBe(use);
    expect(ids("x".repeat(65))[0]).toMatch(/^[a-zA-Z0-9_.:-]{1,64}$/);
    expect(ids("call_a.b:c-d_1")).toStrictEqual(["call_a.b:c-d_1", "call_a.b:c-d_1"]);
  });

  it("turns a base64 data URL into an image block with its format and bytes", () => {
    const input = buildConverseRequest(call({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/jpg;base64,AQID" } }] }] }));
    const image = input.messages![0]!.content![0]!.image!;
    expect(image.format).toBe("jpeg");
    expect([...(image.source as { bytes: Uint8Array }).bytes]).toStrictEqual([1, 2, 3]);
  });

  it("refuses image URLs that are not data URLs, naming the field", () => {
    const build = () => buildConverseRequest(call({ messages: [{ role: "user", content: [{ type: "text", text: "x" }, { type: "image_url", image_url: { url: "https://x/y.png" } }] }] }));
    expect(build).toThrow(RequestTranslationError);
    expect(build).toThrow(expect.objectContaining({ param: "messages.0.content.1.image_url.url" }));
  });
});
