// POST /v1/responses translated for Gemini and Bedrock, through the official openai SDK against the mock's
// Gemini API and Bedrock Converse: text, a stream, and a function-tool round trip on each.
process.env.AWS_EC2_METADATA_DISABLED = "true"; // never ask an instance metadata service, whatever the SDK does
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, testConfigYaml, TENANT_KEY, type Harness } from "./harness";

const configYaml = (url: string) =>
  testConfigYaml(url)
    .replace(
      "providers:\n",
      `providers:
  gemini: { type: gemini, base_url: ${url}, api_key: AIza-gemini-responses-never-log-0123 }
  aws:
    type: bedrock
    region: eu-west-3
    base_url: ${url}
    access_key_id: AKIARESPONSESTEST01
    secret_access_key: bedrock-secret-responses-never-log
`,
    )
    .replace(
      "models:\n",
      `models:
  gem-chat:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: gemini, model: gemini-test-flash }]
  br-chat:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: aws, model: "anthropic.claude-3-haiku-20240307-v1:0" }]
`,
    );

let h: Harness;
let client: OpenAI;
beforeAll(async () => {
  h = await startHarness({ configYaml });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const weather: OpenAI.Responses.FunctionTool = { type: "function", name: "get_weather", parameters: { type: "object", properties: { input: { type: "string" } } }, strict: false };

describe.each([
  ["gem-chat", "gemini", /generateContent/],
  ["br-chat", "aws", /\/converse/],
])("the Responses API on %s", (model, provider, path) => {
  it("answers text and streams it", async () => {
    const { data, response } = await client.responses.create({ model, instructions: "be brief", input: "hello there" }).withResponse();
    expect(data.status).toBe("completed");
    expect(data.output_text).toContain("hello there");
    expect(data.usage?.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-runestone-provider")).toBe(provider);
    expect(h.upstream.requests.at(-1)!.path).toMatch(path);
    const final = await client.responses.stream({ model, input: "one two three" }).finalResponse();
    expect(final.output_text).toContain("one two three");
    expect(final.status).toBe("completed");
  });

  it("completes a function-tool round trip", async () => {
    const first = await client.responses.create({ model, input: "weather in Paris", tools: [weather] });
    const call = first.output.find((i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === "function_call");
    expect(call).toMatchObject({ name: "get_weather" });
    expect(JSON.parse(call!.arguments)).toEqual({ input: "weather in Paris" });
    const second = await client.responses.create({ model, tools: [weather], input: [{ role: "user", content: "weather in Paris" }, call!, { type: "function_call_output", call_id: call!.call_id, output: "18C" }] });
    expect(second.status).toBe("completed");
    expect(second.output.some((i) => i.type === "message")).toBe(true);
  });
});
