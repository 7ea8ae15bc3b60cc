// The config the Responses API end-to-end tests share: OpenAI (passthrough), Anthropic and an OpenAI-compatible
// provider (translated) on one mock upstream, the built-in mock, GPT-6.2 Sol as the default catalog declares it
// (no chat function_calling), and a model that falls back from OpenAI to the compatible provider. No retries
// and breakers that never open, so each test sees exactly the faults it asks for.
import { TENANT_KEY, UPSTREAM_KEY, tempSqlitePath } from "./harness";

export const ANTHROPIC_KEY = "sk-ant-upstream-responses-never-log-me";

export function responsesConfigYaml(upstreamUrl: string): string {
  return `
server: { host: 127.0.0.1, port: 0, body_limit: 5mb, shutdown_grace_ms: 2000 }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 0 }
  breaker: { consecutive_failures: 100000, minimum_requests: 100000 }
providers:
  mock: { type: mock }
  openai: { type: openai, base_url: ${upstreamUrl}/v1, api_key: ${UPSTREAM_KEY} }
  anthropic: { type: anthropic, base_url: ${upstreamUrl}, api_key: ${ANTHROPIC_KEY} }
  compat: { type: openai-compatible, base_url: ${upstreamUrl}/v1, api_key: sk-compat-key }
models:
  mock-echo:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: mock }]
  gpt-4o-mini:
    capabilities: [chat, streaming, function_calling, vision, json_mode]
    pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }
    deployments: [{ provider: openai, model: gpt-4o-mini-2024-07-18 }]
  claude-sonnet-4-5:
    family: general
    capabilities: [chat, streaming, function_calling, vision, json_mode]
    max_output_tokens: 4096
    deployments: [{ provider: anthropic, model: claude-sonnet-4-5-20250929 }]
  gpt-with-fallback:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: openai, model: gpt-primary }, { provider: compat, model: compat-backup }]
  gpt-6.2-sol:
    family: coding
    capabilities: [chat, streaming, json_mode, vision]
    pricing: { input_per_1m: 2.00, output_per_1m: 10.00 }
    deployments: [{ provider: openai, model: gpt-6.2-sol }]
  coder-lite:
    family: coding
    capabilities: [chat, streaming]
    pricing: { input_per_1m: 0.01, output_per_1m: 0.02 }
    deployments: [{ provider: compat, model: coder-lite }]
tenants:
  - id: tenant-a
    keys: [${TENANT_KEY}]
`;
}
