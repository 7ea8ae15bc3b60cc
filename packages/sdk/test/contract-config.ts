/** Keys of the contract tests' gateway (test values only). */
export const KEYS = {
  acme: "sk-contract-acme-0001",
  acmeEu: "sk-contract-acme-eu-01",
  busy: "sk-contract-busy-0001",
  admin: "admin-contract-key-0123456789",
};

/**
 * A gateway config whose OpenAI and Anthropic providers are the mock upstream at `mockUrl`, with three tenants
 * (`busy` has one slot and queues what overflows) and an admin key.
 */
export function contractConfig(mockUrl: string): string {
  return `
server: { host: 127.0.0.1, port: 4001 }
providers:
  mock: { type: mock }
  openai: { type: openai, base_url: "${mockUrl}/v1", api_key: sk-upstream-openai }
  anthropic: { type: anthropic, base_url: "${mockUrl}", api_key: sk-upstream-anthropic }
models:
  mock-echo:
    capabilities: [chat, streaming, function_calling, json_mode, vision]
    pricing: { input_per_1m: 0, output_per_1m: 0 }
    deployments: [{ provider: mock, model: mock-echo }]
  gpt-4o-mini:
    family: general
    capabilities: [chat, streaming, function_calling, json_mode, vision]
    pricing: { input_per_1m: 0.15, output_per_1m: 0.60 }
    deployments: [{ provider: openai, model: gpt-4o-mini }]
  claude-haiku-4-5:
    family: general
    capabilities: [chat, streaming, function_calling, json_mode, vision]
    pricing: { input_per_1m: 1.00, output_per_1m: 5.00 }
    deployments: [{ provider: anthropic, model: claude-haiku-4-5 }]
  text-embedding-3-small:
    family: embeddings
    capabilities: [embeddings]
    pricing: { input_per_1m: 0.02, output_per_1m: 0 }
    deployments: [{ provider: openai, model: text-embedding-3-small }]
tenants:
  - { id: acme, keys: [${KEYS.acme}] }
  - { id: acme-eu, keys: [${KEYS.acmeEu}] }
  - { id: busy, keys: [${KEYS.busy}], limits: { max_concurrent: 1 }, overflow: queue }
admin: { key: ${KEYS.admin} }
logging: { level: warn }
`;
}
