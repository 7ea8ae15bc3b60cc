import { describe, expect, it } from "vitest";
import { encodeThinkingBlocks } from "./reasoning-encrypted-content";
import { isGatewayItemId, randomId } from "./response-ids";
import { stripGatewayItems } from "./strip-gateway-items";

describe("stripGatewayItems (a translated conversation continued on OpenAI)", () => {
  it("drops the gateway's reasoning items and its item ids, keeps OpenAI's items as they came", () => {
    const fc = randomId("fc");
    const openaiItem = { type: "reasoning", id: "rs_67ccd3acc8d48190a77525dc6de64b4104becd1f5be6fde5", summary: [], encrypted_content: "gAAAA" };
    const input = [
      { role: "user", content: "Paris?" },
      { type: "reasoning", id: randomId("rs"), summary: [], encrypted_content: encodeThinkingBlocks([{ type: "thinking", thinking: "t", signature: "s" }]) },
      { type: "reasoning", summary: [], encrypted_content: encodeThinkingBlocks([{ type: "redacted_thinking", data: "d" }]) },
      { type: "function_call", id: fc, call_id: "toolu_1", name: "get_weather", arguments: "{}" },
      { type: "function_call_output", call_id: "toolu_1", output: "sunny" },
      openaiItem,
    ];
    expect(stripGatewayItems(input as never)).toStrictEqual([
      { role: "user", content: "Paris?" },
      { type: "function_call", call_id: "toolu_1", name: "get_weather", arguments: "{}" },
      { type: "function_call_output", call_id: "toolu_1", output: "sunny" },
      openaiItem,
    ]);
  });

  it("returns input without gateway items unchanged (the same list)", () => {
    const input = [{ role: "user", content: "hi" }];
    expect(stripGatewayItems(input as never)).toBe(input);
  });

  it("knows the gateway's ids from OpenAI's, which have the same shape", () => {
    expect(randomId("fc")).toMatch(/^fc_[0-9a-f]{48}$/);
    expect(isGatewayItemId(randomId("msg"))).toBe(true);
    expect(isGatewayItemId("fc_67ccd3acc8d48190a77525dc6de64b4104becd1f5be6fde5")).toBe(false);
  });
});
