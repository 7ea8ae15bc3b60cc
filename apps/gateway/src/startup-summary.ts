// What the startup log tells a new user: where the docs are, and which providers can answer
// (and, for those that cannot, what to set).
import type { RunestoneConfig } from "./config/schema";

/** The environment variable the default config reads a provider's key from, else its config key. */
export function keySetting(providerId: string): string {
  if (providerId === "openai") return "OPENAI_API_KEY";
  if (providerId === "anthropic") return "ANTHROPIC_API_KEY";
  if (providerId === "azure") return "AZURE_OPENAI_API_KEY";
  if (providerId === "gemini") return "GEMINI_API_KEY";
  return `providers.${providerId}.api_key`;
}

/** One entry per provider: "mock: built in, no key needed", "openai: configured", "anthropic: not configured (set ANTHROPIC_API_KEY)". */
export function providerSummary(config: RunestoneConfig): string[] {
  return Object.entries(config.providers).map(([id, p]) => {
    if (p.type === "mock") return `${id}: built in, no key needed`;
    return p.api_key ? `${id}: configured` : `${id}: not configured (set ${keySetting(id)})`;
  });
}

export function startupLines(url: string, config: RunestoneConfig): string[] {
  return [`docs: ${url}/docs (the contract: ${url}/openapi.json)`, `providers: ${providerSummary(config).join("; ")}`];
}
