// Builds one Provider per configured provider id.
import type { RunestoneConfig } from "../config/schema";
import { HttpProvider } from "./http-provider";
import { anthropicAdapter } from "./anthropic";
import { MockProvider } from "./mock/mock-provider";
import { createOpenAIAdapter } from "./openai";
import type { Provider, ProviderAdapter } from "./types";

export type AdapterFactory = (type: string) => ProviderAdapter | undefined;

export class ProviderRegistry {
  private readonly providers = new Map<string, Provider>();

  constructor(config: RunestoneConfig, extraAdapters: AdapterFactory = () => undefined) {
    for (const [id, pc] of Object.entries(config.providers)) {
      if (pc.type === "mock") {
        this.providers.set(id, new MockProvider(id));
        continue;
      }
      const adapter =
        extraAdapters(pc.type) ?? builtInAdapter(pc.type);
      if (!adapter) throw new Error(`no adapter for provider type ${pc.type}`);
      this.providers.set(id, new HttpProvider(id, pc, adapter));
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

function builtInAdapter(type: string): ProviderAdapter | undefined {
  if (type === "openai" || type === "openai-compatible") return createOpenAIAdapter(type);
  if (type === "anthropic") return anthropicAdapter;
  return undefined;
}
