// Cost and default routing over a test catalog: which deployment comes first, and which constraint is
// named when nothing is left.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/load";
import { HttpError } from "../core/http-error";
import { ProviderRegistry } from "../providers/registry";
import { Catalog } from "./catalog";
import { blendedPrice, Router } from "./router";
import type { RoutePlan } from "../core/route-plan";

const CATALOG = `
providers:
  mock: { type: mock }
  openai: { type: openai, base_url: "http://127.0.0.1:9/v1", api_key: k }
  anthropic: { type: anthropic, base_url: "http://127.0.0.1:9", api_key: k }
  azure: { type: openai-compatible, base_url: "http://127.0.0.1:9/v1", api_key: k }
  nokey: { type: openai, base_url: "http://127.0.0.1:9/v1" }
models:
  echo:
    capabilities: [chat, streaming, function_calling, json_mode, vision]
    pricing: { input_per_1m: 0, output_per_1m: 0 }
    deployments: [{ provider: mock }]
  nano:
    family: general
    capabilities: [chat, streaming]
    context_window: 16000
    pricing: { input_per_1m: 0.10, output_per_1m: 0.40 }
    deployments: [{ provider: openai, model: nano-up }]
  mini:
    family: general
    capabilities: [chat, streaming, function_calling, json_mode]
    context_window: 128000
    pricing: { input_per_1m: 0.15, output_per_1m: 0.60 }
    deployments:
      - { provider: openai, model: mini-up }
      - { provider: azure, model: mini-azure, pricing: { input_per_1m: 0.12, output_per_1m: 0.48 } }
  seer:
    family: vision
    capabilities: [chat, streaming, function_calling, vision]
    context_window: 128000
    pricing: { input_per_1m: 2.50, output_per_1m: 10.00 }
    deployments: [{ provider: openai, model: seer-up }]
  coder-lite:
    family: coding
    capabilities: [chat, function_calling]
    context_window: 200000
    pricing: { input_per_1m: 1.00, output_per_1m: 5.00 }
    deployments: [{ provider: anthropic, model: coder-lite-up }]
  coder:
    family: coding
    capabilities: [chat, streaming, function_calling, json_mode]
    context_window: 200000
    pricing: { input_per_1m: 3.00, output_per_1m: 15.00 }
    deployments: [{ provider: anthropic, model: coder-up }]
  thinker:
    family: reasoning
    capabilities: [chat, streaming, function_calling, json_mode, vision]
    context_window: 200000
    pricing: { input_per_1m: 15.00, output_per_1m: 75.00 }
    deployments: [{ provider: anthropic, model: thinker-up }]
  longctx:
    family: general
    capabilities: [chat, streaming]
    context_window: 1000000
    pricing: { input_per_1m: 0.40, output_per_1m: 1.60 }
    deployments: [{ provider: openai, model: longctx-up }]
  unpriced:
    family: general
    capabilities: [chat, streaming]
    deployments: [{ provider: openai, model: unpriced-up }]
  ghost:
    family: general
    capabilities: [chat, streaming, function_calling, json_mode, vision, embeddings]
    pricing: { input_per_1m: 0.01, output_per_1m: 0.01 }
    deployments: [{ provider: nokey, model: ghost-up }]
  duo:
    deployments: [{ provider: openai, model: duo-a }, { provider: azure, model: duo-b }]
tenants:
  - { id: t, keys: [sk-test-router-key] }
`;

function makeRouter(yaml = CATALOG, policy: "default" | "cost" = "default"): Router {
  const { config } = parseConfig(yaml, {});
  return new Router(new Catalog(config, new ProviderRegistry(config)), policy);
}

const router = makeRouter();
const say = (text: string) => [{ role: "user", content: text }];
const tool = { type: "function", function: { name: "lookup", parameters: { type: "object" } } };
const image = [{ role: "user", content: [{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: "https://example.com/a.png" } }] }];

function route(body: Record<string, unknown>, allowed?: string[], stream?: boolean): RoutePlan {
  return router.route({ messages: say("hi"), ...body } as never, allowed, { stream });
}

function first(plan: RoutePlan): string {
  const c = plan.candidates[0]!;
  return `${c.model.id}@${c.provider.id}`;
}

function routingError(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error("expected a routing error");
}

describe("cost routing", () => {
  const table: Array<[string, Record<string, unknown>, string]> = [
    ["the cheapest chat deployment when only chat is asked for", { capabilities: ["chat"] }, "nano@openai"],
    ["the cheapest model of the requested family", { model_family: "coding" }, "coder-lite@anthropic"],
    ["a streaming-capable model of the family for a stream", { model_family: "coding", stream: true }, "coder@anthropic"],
    ["the cheaper deployment of a model when tools need function calling", { model_family: "general", tools: [tool] }, "mini@azure"],
    ["a vision model for a message with an image", { capabilities: ["chat"], messages: image }, "seer@openai"],
    ["a json_mode model for a JSON response_format", { capabilities: ["chat"], response_format: { type: "json_object" } }, "mini@azure"],
    ["the only deployment within a tight budget", { capabilities: ["chat"], max_cost_per_token: 0.0000002 }, "nano@openai"],
    ["a deployment whose price override fits the budget", { capabilities: ["function_calling"], max_cost_per_token: 0.00000022 }, "mini@azure"],
    ["a larger window when the prompt does not fit the cheapest", { model_family: "general", messages: say("x".repeat(4 * 20_000)) }, "mini@azure"],
    ["the long-context model for a prompt only it can hold", { model_family: "general", messages: say("x".repeat(4 * 300_000)) }, "longctx@openai"],
    ["a model whose window fits the prompt plus the requested output", { model_family: "general", max_tokens: 15_000, messages: say("x".repeat(4 * 2_000)) }, "mini@azure"],
    ["the provider's cheapest when provider restricts", { capabilities: ["chat"], provider: "anthropic" }, "coder-lite@anthropic"],
    ["the mock when provider asks for it", { capabilities: ["chat"], provider: "mock" }, "echo@mock"],
    ["the cheapest deployment of a named model under the cost policy", { model: "mini", routing_policy: "cost" }, "mini@azure"],
  ];
  it.each(table)("picks %s", (_name, body, expected) => {
    const plan = route(body);
    expect(plan.policy).toBe("cost");
    expect(first(plan)).toBe(expected);
  });

  it("orders every candidate by blended price and never chooses an unpriced deployment (issue 15)", () => {
    const plan = route({ capabilities: ["chat"] });
    const prices = plan.candidates.map((c) => (c.model.pricing ? blendedPrice(c.model.pricing) : Infinity));
    expect(plan.candidates.map((c) => c.model.id)).not.toContain("unpriced");
    expect(plan.candidates.map((c) => c.model.id)).not.toContain("duo");
    expect(prices.every(Number.isFinite)).toBe(true);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(plan.candidates.slice(0, 3).map((c) => c.upstreamModel)).toEqual(["nano-up", "mini-azure", "mini-up"]);
  });

  it("says the cost policy chooses only priced models when none of the remaining has a price", () => {
    const onlyUnpriced = makeRouter(`
providers: { openai: { type: openai, base_url: "http://127.0.0.1:9/v1", api_key: k } }
models: { free-for-all: { deployments: [{ provider: openai }] } }
tenants: [{ id: t, keys: [sk-test-router-key] }]
`);
    const err = routingError(() => onlyUnpriced.route({ messages: say("hi"), capabilities: ["chat"] } as never));
    expect(err.param).toBe("model");
    expect(err.message).toMatch(/only chooses priced models/);
  });

  it("never offers a deployment whose provider has no key, nor the echo mock when real providers can serve", () => {
    const ids = route({ capabilities: ["chat"] }).candidates.map((c) => c.provider.id);
    expect(ids).not.toContain("nokey");
    expect(ids).not.toContain("mock");
  });

  const impossible: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["an unknown family", { model_family: "poetry" }, "model_family", /family 'poetry'/],
    ["a capability no model has", { capabilities: ["embeddings"] }, "capabilities", /'embeddings'/],
    ["a budget below every price", { capabilities: ["chat"], max_cost_per_token: 0.0000001 }, "max_cost_per_token", /cheapest remaining costs 1\.75e-7/],
    ["a prompt larger than every window", { capabilities: ["chat"], messages: say("x".repeat(4 * 1_100_000)) }, "messages", /fits no remaining context window/],
    ["images for a family without vision", { model_family: "coding", messages: image }, "messages", /'vision'/],
    ["a stream from a family that cannot stream within budget", { model_family: "coding", stream: true, max_cost_per_token: 0.000002 }, "max_cost_per_token", /more than 0\.000002/],
    ["a provider that serves nothing", { capabilities: ["chat"], provider: "nowhere" }, "provider", /provider 'nowhere'/],
  ];
  it.each(impossible)("answers 400 naming the constraint for %s", (_name, body, param, message) => {
    const err = routingError(() => route(body));
    expect(err.status).toBe(400);
    expect(err.param).toBe(param);
    expect(err.message).toMatch(message);
  });

  it("counts /v1/chat/stream as a stream even without stream: true", () => {
    expect(first(route({ model_family: "coding" }, undefined, true))).toBe("coder@anthropic");
  });

  it("routes only within the tenant's allowed models", () => {
    expect(first(route({ capabilities: ["chat"] }, ["thinker", "coder"]))).toBe("coder@anthropic");
  });

  it("routes to the mock when it is the only configured provider", () => {
    const onlyMock = makeRouter(CATALOG.replace(/api_key: k/g, 'api_key: ""'));
    expect(first(onlyMock.route({ capabilities: ["chat"], messages: say("hi") } as never))).toBe("echo@mock");
  });
});

describe("default routing", () => {
  it("keeps the configured deployment order of the named model", () => {
    expect(route({ model: "duo" }).candidates.map((c) => c.upstreamModel)).toEqual(["duo-a", "duo-b"]);
    expect(route({ model: "duo" }).policy).toBe("default");
  });

  it("follows RUNESTONE_ROUTER_POLICY unless the request chooses", () => {
    const costFirst = makeRouter(CATALOG, "cost");
    expect(first(costFirst.route({ model: "mini", messages: say("hi") } as never))).toBe("mini@azure");
    expect(costFirst.route({ model: "mini", routing_policy: "default", messages: say("hi") } as never).candidates[0]!.upstreamModel).toBe("mini-up");
  });

  it("applies the routing fields a client sent alongside the model", () => {
    const err = routingError(() => route({ model: "mini", max_cost_per_token: 0.0000001 }));
    expect(err.param).toBe("max_cost_per_token");
  });

  it("restricts a named model to the requested provider", () => {
    expect(route({ model: "mini", provider: "azure" }).candidates.map((c) => c.upstreamModel)).toEqual(["mini-azure"]);
    const err = routingError(() => route({ model: "nano", provider: "azure" }));
    expect([err.status, err.code, err.param]).toEqual([400, "no_route", "provider"]);
  });

  it("answers 404 model_not_found for an unknown model and 403 model_not_allowed for one the tenant may not use", () => {
    expect(routingError(() => route({ model: "gpt-9" })).status).toBe(404);
    const forbidden = routingError(() => route({ model: "nano" }, ["mini"]));
    expect([forbidden.status, forbidden.code, forbidden.param]).toEqual([403, "model_not_allowed", "model"]);
    expect(forbidden.message).toContain("'nano'");
  });

  it("gives every deployment its own circuit breaker", () => {
    const [a, b] = route({ model: "duo" }).candidates;
    expect(a!.breaker).not.toBe(b!.breaker);
    expect(route({ model: "duo" }).candidates[0]!.breaker).toBe(a!.breaker);
  });
});

describe("blended price", () => {
  it("weighs input three times as much as output, in USD per token", () => {
    expect(blendedPrice({ input_per_1m: 0.15, output_per_1m: 0.6 })).toBeCloseTo(0.0000002625, 15);
  });
});

describe("a model asked to do what it cannot", () => {
  const r = makeRouter(`
providers:
  openai: { type: openai, base_url: "http://127.0.0.1:9/v1", api_key: k, model_patterns: ["ft-*"] }
models:
  embedder: { capabilities: [embeddings], deployments: [{ provider: openai, model: e-up }] }
  talker: { capabilities: [chat, streaming], deployments: [{ provider: openai, model: t-up }] }
tenants:
  - { id: t, keys: [sk-test-router-key] }
`);
  const ask = (model: string, serves?: "chat" | "embeddings", policy: "default" | "cost" = "default") =>
    r.route({ model, messages: say("hi"), routing_policy: policy } as never, undefined, { serves });

  it.each(["default", "cost"] as const)("refuses an embeddings model for chat under the %s policy, naming model", (policy) => {
    const err = routingError(() => ask("embedder", undefined, policy));
    expect(err).toMatchObject({ status: 400, type: "invalid_request_error", code: "model_not_supported", param: "model" });
    expect(err.message).toContain("'embedder' is an embeddings model");
  });

  it("refuses a chat model for embeddings, and serves each model what it can do", () => {
    expect(routingError(() => ask("talker", "embeddings")).message).toContain("does not support embeddings");
    expect(first(ask("embedder", "embeddings"))).toBe("embedder@openai");
    expect(first(ask("embedder", "embeddings", "cost"))).toBe("embedder@openai");
    expect(first(ask("talker"))).toBe("talker@openai");
  });

  it("lets a model whose capabilities are unknown through, for either", () => {
    expect(first(ask("ft-custom"))).toBe("ft-custom@openai");
    expect(first(ask("ft-custom", "embeddings"))).toBe("ft-custom@openai");
  });
});
