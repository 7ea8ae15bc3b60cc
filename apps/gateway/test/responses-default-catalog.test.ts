// GPT-6.2 Astra and Sol as the shipped default catalog declares them (no chat `function_calling`, because OpenAI
// serves their function tools only on its Responses API): through /v1/responses their function tools work, by
// name and under cost routing, passed through to OpenAI's /v1/responses; chat routing by cost still refuses them.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, tempSqlitePath } from "./harness";

let upstream: MockUpstream;
let gw: RunningGateway;
let client: OpenAI;
beforeAll(async () => {
  upstream = await startMockUpstream();
  const { config } = loadConfig({ RUNESTONE_DATA_FILE: tempSqlitePath(), OPENAI_API_KEY: "sk-openai-default-catalog", OPENAI_BASE_URL: `${upstream.url}/v1` });
  gw = await startGateway({ config, logger: createLogger("silent", new LogCapture()), port: 0, validateResponses: true });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "sk-runestone-dev", maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});
beforeEach(() => upstream.reset());

const weather: OpenAI.Responses.FunctionTool = { type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: false };

describe("GPT-6.2 function tools in the default catalog", () => {
  it.each(["gpt-6.2-astra", "gpt-6.2-sol"])("%s calls a function tool through client.responses, passed through to OpenAI", async (model) => {
    const r = await client.responses.create({ model, input: "weather in Paris", tools: [weather] });
    expect(r.output[0]).toMatchObject({ type: "function_call", name: "get_weather" });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/v1/responses");
    // The chat-only default for tools (reasoning_effort none, which GPT-6.2 rejects) is not added here.
    expect(sent.body).toStrictEqual({ model, input: "weather in Paris", tools: [weather] });
  });

  it("is chosen by cost routing with function tools on /v1/responses, where chat's cost routing has no model for them", async () => {
    const res = await client.responses.create({ model_family: "reasoning", routing_policy: "cost", input: "weather in Paris", tools: [weather] } as never).withResponse();
    expect(res.response.headers.get("x-runestone-model")).toBe("gpt-6.2-astra");
    expect(res.data.output[0]).toMatchObject({ type: "function_call" });

    const chat = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-runestone-dev", "content-type": "application/json" },
      body: JSON.stringify({
        model_family: "reasoning",
        routing_policy: "cost",
        messages: [{ role: "user", content: "weather in Paris" }],
        tools: [{ type: "function", function: { name: "get_weather", parameters: weather.parameters } }],
      }),
    });
    expect(chat.status).toBe(400);
    expect(((await chat.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: "no_route", param: "tools" });
  });
});
