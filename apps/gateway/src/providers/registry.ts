// Builds one Provider per configured provider id.
import type { ProviderConfig, RunestoneConfig } from "../config/schema";
import { HttpProvider } from "./http-provider";
import { anthropicAdapter } from "./anthropic";
import { MockProvider } from "./mock/mock-provider";
import { BedrockProvider } from "./bedrock/bedrock-provider";
import { registerSecrets } from "../core/redact-secrets";
import { createOpenAIAdapter } from "./openai";
import { createAzureOpenAIAdapter } from "./azure-openai";
import { geminiAdapter } from "./gemini";
import type { Provider, ProviderAdapter } from "../core/provider-contract";

export type AdapterFactory = (type: string) => ProviderAdapter | undefined;

export class ProviderRegistry {
  private readonly providers = new Map<string, Provider>();

  constructor(config: RunestoneConfig, extraAdapters: AdapterFactory = () => undefined) {
    // Upstream error text is scrubbed of these before it is relayed or logged (redact-secrets.ts).
    const authHeaders = Object.values(config.providers).flatMap((pc) => Object.entries(pc.headers ?? {}).filter(([name]) => /auth|key|token|secret/i.test(name)));
    registerSecrets([...Object.values(config.providers).map((pc) => pc.api_key), config.admin.key, ...authHeaders.map(([, value]) => value.replace(/^(Bearer|Basic)\s+/i, ""))]);
    const limits = { maxResponseBytes: config.server.max_upstream_response_bytes, maxEventBytes: config.server.max_upstream_event_bytes };
    for (const [id, pc] of Object.entries(config.providers)) {
      if (pc.type === "mock") {
        this.providers.set(id, new MockProvider(id));
        continue;
      }
      if (pc.type === "bedrock") { this.providers.set(id, new BedrockProvider(id, pc)); continue; } // SDK-driven (SigV4, event-stream), not HttpProvider
      const adapter =
        extraAdapters(pc.type) ?? builtInAdapter(pc.type, pc);
      if (!adapter) throw new Error(`no adapter for provider type ${pc.type}`);
      this.providers.set(id, new HttpProvider(id, pc, adapter, undefined, limits));
    }
  }

  get(id: string): Provider | undefined {
    return this.providers.get(id);
  }

  all(): Provider[] {
    return [...this.providers.values()];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((p) => (p as { close?: () => Promise<void> }).close?.()));
  }
}

/**
 * The provider kinds, by config `type`: a new kind is one folder implementing the adapter contract
 * (core/provider-contract.ts) and one line here (plus its `type` in config/schema.ts).
 */
const KINDS: Record<string, (pc: ProviderConfig) => ProviderAdapter> = {
  openai: () => createOpenAIAdapter("openai"),
  "openai-compatible": () => createOpenAIAdapter("openai-compatible"),
  anthropic: () => anthropicAdapter,
  "azure-openai": (pc) => createAzureOpenAIAdapter(pc.api_version),
  gemini: () => geminiAdapter,
};

function builtInAdapter(type: string, pc: ProviderConfig): ProviderAdapter | undefined {
  return Object.hasOwn(KINDS, type) ? KINDS[type]!(pc) : undefined;
}
