// The OpenAI-shaped upstream body: the model's defaults for requests with tools.
import { describe, expect, it } from "vitest";
import type { AdapterContext, ChatCall } from "../../core/provider-contract";
import { buildOpenAIRequest } from "./build-openai-request";

const ctx: AdapterContext = { apiKey: "sk-x", headers: {}, quirks: {} };
const tool = { type: "function", function: { name: "get_weather", parameters: { type: "object" } } };
const call = (body: Record<string, unknown>, defaultsWithTools?: Record<string, unknown>): ChatCall => ({
  body: { messages: [{ role: "user", content: "hi" }], ...body } as ChatCall["body"],
  upstreamModel: "gpt-6-luna",
  publicModel: "gpt-6-luna",
  stream: false,
  clientWantsUsage: false,
  requestId: "req_1",
  defaultsWithTools,
});
const sent = (c: ChatCall) => JSON.parse(buildOpenAIRequest(c, ctx).body) as Record<string, unknown>;

describe("defaults for requests with tools", () => {
  const defaults = { reasoning_effort: "none" };

  it("fill in what the client left out when the request carries tools", () => {
    expect(sent(call({ tools: [tool] }, defaults)).reasoning_effort).toBe("none");
  });

  it("never override what the client sent", () => {
    expect(sent(call({ tools: [tool], reasoning_effort: "high" }, defaults)).reasoning_effort).toBe("high");
  });

  it("leave requests without tools alone, an empty tools list included", () => {
    expect(sent(call({}, defaults))).not.toHaveProperty("reasoning_effort");
    expect(sent(call({ tools: [] }, defaults))).not.toHaveProperty("reasoning_effort");
  });

  it("add nothing for a model without them", () => {
    expect(sent(call({ tools: [tool] }))).not.toHaveProperty("reasoning_effort");
  });
});
