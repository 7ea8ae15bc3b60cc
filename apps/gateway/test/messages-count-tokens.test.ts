// POST /v1/messages/count_tokens through the gateway with the official Anthropic SDK: Anthropic models get the
// upstream's exact count (passthrough), the others the gateway's estimate without an upstream call; the tenant's
// allow-list, Anthropic's error shape; an estimate takes no admission, a count sent upstream one request of the
// tenant's minute (no tokens, no usage record).
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { estimateMessageTokens } from "../src/core/estimate-tokens";
import { postJson, startHarness, TENANT_KEY, type Harness } from "./harness";
import { ANTHROPIC_UPSTREAM_KEY, interopConfigYaml } from "./messages-test-config";

const NARROW_KEY = "sk-test-count-narrow-0123456789";
const LIMITED_KEY = "sk-test-count-rpm-0123456789";
const NATIVE_LIMITED_KEY = "sk-test-count-native-rpm-0123456789";
const SPENT_KEY = "sk-test-count-spent-budget-0123456789";

let h: Harness;
let client: Anthropic;
beforeAll(async () => {
  h = await startHarness({
    configYaml: (u) =>
      interopConfigYaml(u) +
      `  - id: narrow\n    keys: [${NARROW_KEY}]\n    allowed_models: [gpt-4o-mini]\n` +
      `  - id: limited\n    keys: [${LIMITED_KEY}]\n    limits: { requests_per_minute: 1, tokens_per_minute: 50 }\n` +
      `  - id: limited-native\n    keys: [${NATIVE_LIMITED_KEY}]\n    limits: { requests_per_minute: 1, tokens_per_minute: 50 }\n` +
      // A budget of $0 is spent from the start (unpriced models allowed, so a Claude call is refused for the budget itself).
      `  - id: spent\n    keys: [${SPENT_KEY}]\n    limits: { budget: { amount_usd: 0, period: day, allow_unpriced_models: true } }\n`,
  });
  client = new Anthropic({ baseURL: h.url, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const messages = [{ role: "user" as const, content: "how many tokens are in this little prompt of mine?" }];
const countUrl = () => `${h.url}/v1/messages/count_tokens`;

describe("POST /v1/messages/count_tokens", () => {
  it("forwards an Anthropic model's count to the upstream's count_tokens and answers its exact count", async () => {
    h.upstream.behave({ usage: { prompt_tokens: 4242 } }, { times: 1 });
    const { data, response } = await client.messages
      .countTokens({ model: "claude-sonnet-4-5", system: "be brief", messages }, { headers: { "anthropic-beta": "token-counting-2024-11-01" } })
      .withResponse();
    expect(data).toStrictEqual({ input_tokens: 4242 });
    expect(response.headers.get("x-runestone-token-count")).toBe("upstream");
    expect(response.headers.get("x-runestone-provider")).toBe("anthropic");
    expect(response.headers.get("request-id")).toBe(response.headers.get("x-request-id"));

    expect(h.upstream.requests).toHaveLength(1);
    const sent = h.upstream.requests[0]!;
    expect(sent.path).toBe("/v1/messages/count_tokens");
    expect(sent.body).toStrictEqual({ model: "claude-sonnet-4-5-20250929", system: "be brief", messages });
    expect(sent.headers["x-api-key"]).toBe(ANTHROPIC_UPSTREAM_KEY);
    expect(sent.headers["anthropic-beta"]).toBe("token-counting-2024-11-01");
  });

  it("answers the gateway's estimate for a model served by translation, without an upstream call", async () => {
    const tools = [{ name: "get_weather", description: "Weather in a city", input_schema: { type: "object" as const, properties: { city: { type: "string" } } } }];
    const { data, response } = await client.messages.countTokens({ model: "gpt-4o-mini", messages, tools }).withResponse();
    expect(data.input_tokens).toBe(estimateMessageTokens({ model: "gpt-4o-mini", max_tokens: 0, messages, tools }));
    expect(data.input_tokens).toBeGreaterThan(estimateMessageTokens({ model: "gpt-4o-mini", max_tokens: 0, messages }));
    expect(response.headers.get("x-runestone-token-count")).toBe("estimate");
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("relays the upstream's failure in Anthropic's shape (529 overloaded), never an estimate in its place", async () => {
    h.upstream.behave({ status: 529 });
    const err = await client.messages.countTokens({ model: "claude-sonnet-4-5", messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.OverloadedError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
  });

  it("keeps to the tenant's allow-list and answers errors in Anthropic's shape", async () => {
    const narrow = new Anthropic({ baseURL: h.url, apiKey: NARROW_KEY, maxRetries: 0 });
    const forbidden = await narrow.messages.countTokens({ model: "claude-sonnet-4-5", messages }).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((await narrow.messages.countTokens({ model: "gpt-4o-mini", messages })).input_tokens).toBeGreaterThan(0);

    const unknown = await client.messages.countTokens({ model: "no-such-model", messages }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);

    const invalid = await postJson(countUrl(), { model: "gpt-4o-mini", messages: [] });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });

    const embeddings = await postJson(countUrl(), { model: "text-embedding-3-small", messages });
    expect(embeddings.status).toBe(400);

    const anonymous = await fetch(countUrl(), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-4o-mini", messages }) });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("is not admitted under the tenant's limits: counting neither spends nor needs its requests or tokens", async () => {
    const limited = new Anthropic({ baseURL: h.url, apiKey: LIMITED_KEY, maxRetries: 0 });
    // Far more counts than the 1 request a minute allows, of a prompt far above its 50 tokens a minute.
    const long = [{ role: "user" as const, content: "word ".repeat(400) }];
    for (let i = 0; i < 3; i++) expect((await limited.messages.countTokens({ model: "gpt-4o-mini", messages: long })).input_tokens).toBeGreaterThan(50);
    // The one model call of the minute is still there.
    const message = await limited.messages.create({ model: "mock-echo", max_tokens: 5, messages });
    expect(message.type).toBe("message");
    const refused = await limited.messages.create({ model: "mock-echo", max_tokens: 5, messages }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
  });

  it("counts a count sent to Anthropic as one request of the tenant's minute, with no tokens and no usage record", async () => {
    const limited = new Anthropic({ baseURL: h.url, apiKey: NATIVE_LIMITED_KEY, maxRetries: 0 });
    // A prompt far above the 50 tokens a minute: no tokens are reserved for a count.
    const long = [{ role: "user" as const, content: "word ".repeat(400) }];
    const { response } = await limited.messages.countTokens({ model: "claude-sonnet-4-5", messages: long }).withResponse();
    expect(response.headers.get("x-runestone-token-count")).toBe("upstream");
    expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    // The minute's one request is spent: the next count and the next message are refused before any upstream call.
    h.upstream.reset();
    const again = await limited.messages.countTokens({ model: "claude-sonnet-4-5", messages }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Anthropic.RateLimitError);
    expect((again as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    await expect(limited.messages.create({ model: "claude-sonnet-4-5", max_tokens: 5, messages })).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    expect(h.upstream.requests).toHaveLength(0);
    const usage = await fetch(`${h.url}/v1/usage?group_by=model`, { headers: { authorization: `Bearer ${NATIVE_LIMITED_KEY}` } });
    expect(usage.status).toBe(200);
    expect(((await usage.json()) as { data: unknown[] }).data).toEqual([]);
  });

  it("counts for a tenant whose budget is spent (counting charges nothing), which still may not call a model", async () => {
    const spent = new Anthropic({ baseURL: h.url, apiKey: SPENT_KEY, maxRetries: 0 });
    h.upstream.behave({ usage: { prompt_tokens: 77 } }, { times: 1 });
    const { data, response } = await spent.messages.countTokens({ model: "claude-sonnet-4-5", messages }).withResponse();
    expect(data).toStrictEqual({ input_tokens: 77 });
    expect(response.headers.get("x-runestone-token-count")).toBe("upstream");
    // No budget took part: nothing reserved or settled, so no remaining amount to report.
    expect(response.headers.get("x-runestone-budget-remaining-usd")).toBeNull();
    const refused = await spent.messages.create({ model: "claude-sonnet-4-5", max_tokens: 5, messages }).catch((e: unknown) => e);
    // The model call is still refused for the spent budget (Anthropic's shape has no code: the message names it).
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
    const err = refused as InstanceType<typeof Anthropic.RateLimitError>;
    expect(err.error).toMatchObject({ type: "error", error: { type: "rate_limit_error", message: expect.stringMatching(/^Budget exceeded: this tenant's budget of \$0 per day/) } });
    expect(err.headers.get("x-runestone-budget-remaining-usd")).toBe("0");
    expect(h.upstream.requests.map((r) => r.path)).toEqual(["/v1/messages/count_tokens"]);
  });
});
