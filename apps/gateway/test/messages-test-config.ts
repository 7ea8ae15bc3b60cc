// The config the interop tests share (Anthropic, OpenAI, OpenAI-compatible and mock providers, chat and embedding
// models), all pointed at one mock upstream. No retries and breakers that never open, so each test sees exactly
// the faults it asks for.
import { TENANT_KEY, UPSTREAM_KEY, tempSqlitePath } from "./harness";

export const ANTHROPIC_UPSTREAM_KEY = "sk-ant-upstream-secret-never-log-me";
export const COMPAT_KEY = "sk-compat-upstream-key";

export function interopConfigYaml(upstreamUrl: string): string {
  return `
server: { host: 127.0.0.1, port: 0, body_limit: 5mb, shutdown_grace_ms: 2000 }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 0 }
  breaker: { consecutive_failures: 100000, minimum_requests: 100000 }
providers:
  mock: { type: mock }
  openai:
    type: openai
    base_url: ${upstreamUrl}/v1
    api_key: ${UPSTREAM_KEY}
  anthropic:
    type: anthropic
    base_url: ${upstreamUrl}
    api_key: ${ANTHROPIC_UPSTREAM_KEY}
    timeouts: { connect_ms: 1000, first_byte_ms: 3000, idle_ms: 3000, total_ms: 10000 }
  groq:
    type: openai-compatible
    base_url: ${upstreamUrl}/v1
    api_key: ${COMPAT_KEY}
    headers: { x-team: search, x-org-id: org-42 }
    quirks: { no_stream_options: true, developer_as_system: true, max_tokens_field: max_tokens }
  compat:
    type: openai-compatible
    base_url: ${upstreamUrl}/v1
    api_key: sk-plain-compat-key
  vllm:
    type: openai-compatible
    base_url: ${upstreamUrl}/v1
    api_key: sk-vllm-key
    quirks: { max_tokens_field: max_completion_tokens }
models:
  mock-echo:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: mock }]
  claude-sonnet-4-5:
    family: coding
    capabilities: [chat, streaming, function_calling, vision, json_mode]
    max_output_tokens: 4096
    deployments: [{ provider: anthropic, model: claude-sonnet-4-5-20250929 }]
  claude-with-fallback:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: anthropic, model: claude-primary }, { provider: openai, model: gpt-backup }]
  claude-twice:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: anthropic, model: claude-first }, { provider: anthropic, model: claude-second }]
  gpt-4o-mini:
    capabilities: [chat, streaming, function_calling, vision, json_mode]
    deployments: [{ provider: openai, model: gpt-4o-mini }]
  o4-mini:
    family: reasoning
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: openai, model: o4-mini }]
  llama-3.3-70b:
    capabilities: [chat, streaming, function_calling]
    deployments: [{ provider: groq, model: llama-3.3-70b-versatile }]
  compat-chat:
    capabilities: [chat, streaming, function_calling, vision]
    deployments: [{ provider: compat, model: compat-chat-v1 }]
  qwen-2.5:
    capabilities: [chat, streaming]
    deployments: [{ provider: vllm, model: Qwen/Qwen2.5-7B-Instruct }]
  text-embedding-3-small:
    family: embedding
    capabilities: [embeddings]
    pricing: { input_per_1m: 0.02, output_per_1m: 0 }
    deployments: [{ provider: openai, model: text-embedding-3-small }]
  nomic-embed:
    family: embedding
    capabilities: [embeddings]
    deployments: [{ provider: groq, model: nomic-embed-text-v1.5 }]
  claude-embed:
    family: embedding
    capabilities: [embeddings]
    deployments: [{ provider: anthropic, model: claude-sonnet-4-5 }]
  mock-embed:
    family: embedding
    capabilities: [embeddings]
    deployments: [{ provider: mock }]
tenants:
  - id: tenant-a
    keys: [${TENANT_KEY}]
`;
}
