// POST /v1/responses on an Azure OpenAI deployment: passed through to Azure's v1 Responses API
// (`/openai/v1/responses`, the deployment as `model`, the key in `api-key` and never Authorization), JSON and
// streams, with the official openai SDK.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, TENANT_KEY, testConfigYaml, type Harness } from "./harness";

const AZURE_KEY = "azure-key-responses-0123456789-never-log";
const configYaml = (url: string) =>
  testConfigYaml(url)
    .replace("providers:\n", `providers:\n  azure: { type: azure-openai, base_url: ${url}, api_version: "2024-06-01", api_key: ${AZURE_KEY} }\n`)
    .replace("models:\n", `models:\n  az-chat:\n    capabilities: [chat, streaming, function_calling]\n    deployments: [{ provider: azure, model: my-gpt-deploy }]\n`);

let h: Harness;
let client: OpenAI;
beforeAll(async () => {
  h = await startHarness({ configYaml });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

describe("the Responses API on Azure OpenAI", () => {
  it("passes the request to Azure's v1 Responses API with the deployment as model and the key in api-key", async () => {
    const { data, response } = await client.responses.create({ model: "az-chat", input: "hello azure" }).withResponse();
    expect(data.output_text).toBe("echo: hello azure");
    expect(data.id).toMatch(/^resp_mock/);
    expect(response.headers.get("x-runestone-provider")).toBe("azure");
    const sent = h.upstream.requests.at(-1)!;
    expect(sent.url).toBe("/openai/v1/responses");
    expect(sent.headers["api-key"]).toBe(AZURE_KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.rawBody).toBe(JSON.stringify({ model: "my-gpt-deploy", input: "hello azure" }));
  });

  it("relays Azure's stream to the SDK", async () => {
    const final = await client.responses.stream({ model: "az-chat", input: "one two" }).finalResponse();
    expect(final.output_text).toBe("echo: one two");
    expect(h.upstream.requests.at(-1)!.url).toBe("/openai/v1/responses");
  });
});
