// Shared by the budget tests: a model whose input is free and whose output costs $1 per token, so that a request
// with `max_tokens: 1` reserves exactly $1 and (the upstream reporting one completion token) spends exactly $1;
// tenants with budgets (one per test, since spend outlives a test), one without, one that allows unpriced models;
// gateways whose budget clock a test can move (embedded) or sharing a real redis-server.
import type { Schema } from "@runestone/contract";
import type { MockUpstream } from "@runestone/mock-upstream";
import { parseConfig } from "../src/config/load";
import type { RunestoneConfig } from "../src/config/schema";
import { openState, type GatewayState } from "../src/open-state";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture } from "./harness";

export const ADMIN_KEY = "sk-budget-admin-0123456789abcdef";
export const key = (tenant: string, n = 1) => `sk-test-${tenant}-${n}-0123456789`;

/** Tenants `<name>` with a budget of `amount` per `period` (and any other limits), each with two keys. */
export function budgetTenant(id: string, budget: string, more = ""): string {
  return `  - id: ${id}
    keys: [${key(id, 1)}, ${key(id, 2)}]
    limits: { budget: ${budget}${more ? `, ${more}` : ""} }
`;
}

export function budgetsConfigYaml(upstreamUrl: string, state: string, tenants: string, extra = ""): string {
  return `
server: { host: 127.0.0.1, port: 0, body_limit: 1mb, shutdown_grace_ms: 1000 }
admin: { key: ${ADMIN_KEY} }
state: ${state}
queue: { max_per_tenant: 5, max_wait_ms: 20000, result_ttl_ms: 60000 }
resilience:
  retries: { max_retries: 0 }
providers:
  openai:
    type: openai
    base_url: ${upstreamUrl}/v1
    api_key: sk-upstream
    timeouts: { connect_ms: 2000, first_byte_ms: 20000, idle_ms: 20000, total_ms: 30000 }
models:
  dollar:
    pricing: { input_per_1m: 0, output_per_1m: 1000000 }
    deployments: [{ provider: openai, model: dollar-model }]
  stalls:
    pricing: { input_per_1m: 0, output_per_1m: 1000000 }
    deployments: [{ provider: openai, model: "dollar-model::stall=before-headers" }]
  unpriced:
    deployments: [{ provider: openai, model: free-model }]
  dollar-embed:
    capabilities: [embeddings]
    pricing: { input_per_1m: 1000000, output_per_1m: 0 }
    deployments: [{ provider: openai, model: embed-model }]
  underestimated:
    pricing: { input_per_1m: 0, output_per_1m: 1000000 }
    deployments: [{ provider: openai, model: long-model }]
${extra}
tenants:
  - id: nobudget
    keys: [${key("nobudget")}]
${tenants}`;
}

/** Every answer of `dollar-model` reports one completion token: $1 spent per request. */
export function oneTokenAnswers(upstream: MockUpstream): void {
  upstream.behave({ usage: { prompt_tokens: 7, completion_tokens: 1 } }, { model: "dollar-model" });
}

export const dollarRequest = (text = "hello", extra: Record<string, unknown> = {}) => ({ model: "dollar", max_tokens: 1, messages: [{ role: "user", content: text }], ...extra });

export function post(url: string, apiKey: string, body: Record<string, unknown>, path = "/v1/chat/completions", headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}`, ...headers }, body: JSON.stringify(body) });
}

export interface BudgetGateway {
  url: string;
  gateway: RunningGateway;
  state: GatewayState;
  config: RunestoneConfig;
  close(): Promise<void>;
}

/** A gateway on its own state, opened with `budgetClock` (undefined: the default clock). */
export async function startBudgetGateway(yaml: string, budgetClock?: () => number): Promise<BudgetGateway> {
  const { config } = parseConfig(yaml, {});
  const logger = createLogger("warn", new LogCapture());
  const state = await openState(config, { budgetClock });
  const gateway = await startGateway({ config, logger, validateResponses: true, state });
  return {
    url: gateway.url,
    gateway,
    state,
    config,
    async close() {
      await gateway.close();
      await state.close();
    },
  };
}

export type BudgetStatus = Schema<"BudgetStatus">;

export async function budgetsOf(url: string, apiKey: string): Promise<BudgetStatus[]> {
  const res = await fetch(`${url}/v1/usage`, { headers: { authorization: `Bearer ${apiKey}` } });
  const body = (await res.json()) as { budgets?: BudgetStatus[] };
  if (res.status !== 200) throw new Error(`GET /v1/usage answered ${res.status}: ${JSON.stringify(body)}`);
  return body.budgets ?? [];
}
