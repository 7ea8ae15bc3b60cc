// The model catalog: public model ids, their deployments, capabilities and prices; and the two ways to
// reach a model without a catalog entry: `<provider>/<model>` and a bare name matching a provider's
// `model_patterns`. Such a model is served by one deployment (that provider, the name as the upstream's
// model id) and is priced by the dated price table (config/prices.yaml) when it knows the model.
import type { ModelConfig, RunestoneConfig } from "../config/schema";
import type { Schema } from "@runestone/contract";
import type { CatalogModel, Deployment, ModelSource } from "../core/catalog-model";
import type { Provider } from "../core/provider-contract";
import type { ProviderRegistry } from "../providers/registry";
import { compileGlob } from "../config/model-patterns";
import { builtInPriceTable, type PriceTable } from "./price-table";

/** A fixed creation time for configured models, so listings are stable across restarts. */
const CATALOG_EPOCH = 1_735_689_600; // 2025-01-01T00:00:00Z

/** Output cap sent to providers that require one (Anthropic) for a model nothing else is known about. */
const UNKNOWN_MAX_OUTPUT_TOKENS = 4_096;

/** Whether a model can do something, as far as known: an unknown model is not ruled out. */
export function hasCapability(m: CatalogModel, capability: string): boolean {
  return !m.capabilitiesKnown || m.capabilities.includes(capability);
}

interface ProviderPatterns {
  provider: Provider;
  matchers: Array<(name: string) => boolean>;
}

export class Catalog {
  private readonly models = new Map<string, CatalogModel>();
  private readonly patterns: ProviderPatterns[] = [];
  private readonly providerTypes = new Map<string, string>();

  constructor(
    config: RunestoneConfig,
    private readonly providers: ProviderRegistry,
    private readonly prices: PriceTable = builtInPriceTable(),
  ) {
    for (const [id, m] of Object.entries(config.models)) {
      this.models.set(id, {
        id,
        family: m.family,
        capabilities: m.capabilities,
        capabilitiesKnown: true,
        contextWindow: m.context_window,
        maxOutputTokens: m.max_output_tokens,
        pricing: m.pricing,
        defaultsWithTools: m.defaults_with_tools,
        ownedBy: m.owned_by ?? m.deployments[0]!.provider,
        created: m.created ?? CATALOG_EPOCH,
        deployments: m.deployments.map((d) => ({ provider: providers.get(d.provider)!, model: d.model ?? id, weight: d.weight, pricing: d.pricing ?? m.pricing })),
        source: "catalog",
      });
    }
    for (const [id, pc] of Object.entries(config.providers)) {
      this.providerTypes.set(id, pc.type);
      const provider = providers.get(id);
      if (provider && pc.model_patterns.length) this.patterns.push({ provider, matchers: pc.model_patterns.map(compileGlob) });
    }
  }

  get(id: string): CatalogModel | undefined {
    return this.models.get(id);
  }

  /**
   * The model a request's `model` names: a catalog entry first (an id may itself contain a slash), then
   * `<provider>/<model>` for a configured provider id, then a provider whose model_patterns match the name.
   */
  resolve(name: string): CatalogModel | undefined {
    const entry = this.models.get(name);
    if (entry) return entry;
    const slash = name.indexOf("/");
    if (slash > 0 && slash < name.length - 1) {
      const provider = this.providers.get(name.slice(0, slash));
      if (provider) return this.outside(name, provider, name.slice(slash + 1), "provider_prefix");
    }
    const byPattern = this.patterns.find((p) => p.matchers.some((m) => m(name)));
    return byPattern ? this.outside(name, byPattern.provider, name, "model_pattern") : undefined;
  }

  /** A model reached on a named provider (`provider` in the request, or discovery). */
  onProvider(providerId: string, upstreamModel: string, id: string, source: ModelSource): CatalogModel | undefined {
    const provider = this.providers.get(providerId);
    return provider ? this.outside(id, provider, upstreamModel, source) : undefined;
  }

  private outside(id: string, provider: Provider, upstreamModel: string, source: ModelSource): CatalogModel {
    const type = this.providerTypes.get(provider.id) ?? provider.kind;
    const known = this.prices.lookup(type, upstreamModel);
    const capabilities = known?.capabilities;
    return {
      id,
      family: capabilities && !capabilities.includes("chat") && capabilities.includes("embeddings") ? "embedding" : "general",
      capabilities: capabilities ?? [],
      capabilitiesKnown: capabilities !== undefined,
      contextWindow: known?.context_window ?? Number.POSITIVE_INFINITY,
      maxOutputTokens: known?.max_output_tokens ?? UNKNOWN_MAX_OUTPUT_TOKENS,
      maxOutputKnown: known?.max_output_tokens !== undefined,
      pricing: known?.pricing,
      ownedBy: provider.kind === "mock" ? "runestone" : provider.kind === "openai-compatible" ? provider.id : provider.kind,
      created: CATALOG_EPOCH,
      deployments: [{ provider, model: upstreamModel, weight: 1, pricing: known?.pricing }],
      source,
      priceSource: known?.source,
    };
  }

  /** Why a name reaches nothing, and how to reach it: for the 404 `model_not_found`. */
  unknownModelMessage(name: string): string {
    const ids = this.providers.all().map((p) => p.id);
    const slash = name.indexOf("/");
    if (slash > 0) {
      const prefix = name.slice(0, slash);
      if (this.providers.get(prefix)) return `The model '${name}' names provider '${prefix}' but no model after the slash: use '${prefix}/<model>'.`;
      return (
        `The model '${name}' does not exist: '${prefix}' is not a configured provider and no catalog model has that id. ` +
        `Name a model as '<provider>/<model>' with a configured provider (${ids.join(", ")}), or add providers.${prefix} to the config.`
      );
    }
    const owner = wellKnownOwner(name);
    const ownerHint =
      owner && ![...this.providerTypes.values()].includes(owner.type)
        ? ` '${name}' looks like ${owner.label} model: add a provider of type ${owner.type} to the config (${owner.env}).`
        : "";
    const reachable = ids.filter((id) => id !== "mock");
    const example = reachable[0] ?? ids[0] ?? "<provider>";
    return (
      `The model '${name}' is not in the catalog and matches no provider's model_patterns. ` +
      `To call it on a configured provider, name it '<provider>/${name}' (for example '${example}/${name}'; providers: ${ids.join(", ")}), ` +
      `or add a glob to providers.<id>.model_patterns.${ownerHint} GET /v1/models lists the catalog.`
    );
  }

  all(): CatalogModel[] {
    return [...this.models.values()];
  }

  /** A model is available when at least one of its deployments has a configured provider. */
  isAvailable(m: CatalogModel): boolean {
    return m.deployments.some((d) => d.provider.configured);
  }

  available(): CatalogModel[] {
    return this.all().filter((m) => this.isAvailable(m));
  }
}

/** The vendor of a well-known model name, to say which provider to configure when none serves it. */
function wellKnownOwner(name: string): { type: string; label: string; env: string } | undefined {
  if (/^(gpt-|chatgpt-|o\d|text-embedding-)/.test(name)) return { type: "openai", label: "an OpenAI", env: "or set OPENAI_API_KEY with the default config" };
  if (name.startsWith("claude-")) return { type: "anthropic", label: "an Anthropic", env: "or set ANTHROPIC_API_KEY with the default config" };
  return undefined;
}

/** The environment variable (or config key) that makes a provider available, for `requires_env`. */
export function providerKeySetting(p: Provider): { env: string | null; reason: string } | undefined {
  if (p.configured) return undefined;
  const env = p.id === "openai" ? "OPENAI_API_KEY" : p.id === "anthropic" ? "ANTHROPIC_API_KEY" : null;
  return { env, reason: p.notConfiguredReason ?? `provider "${p.id}" is not configured` };
}

export function toApiModel(m: CatalogModel): Schema<"Model"> {
  const p = m.pricing;
  const served = m.deployments.find((d) => d.provider.configured) ?? m.deployments[0]!;
  const missing = providerKeySetting(served.provider);
  return {
    id: m.id,
    object: "model",
    created: m.created,
    owned_by: m.ownedBy,
    provider: served.provider.id,
    upstream_model: served.model,
    source: m.source,
    available: !missing,
    ...(missing ? { requires_env: missing.env, unavailable_reason: missing.reason } : {}),
    ...(m.capabilitiesKnown ? { capabilities: m.capabilities } : {}),
    family: m.family,
    ...(Number.isFinite(m.contextWindow) ? { context_window: m.contextWindow } : {}),
    ...(m.maxOutputKnown !== false ? { max_tokens: m.maxOutputTokens } : {}),
    // No `pricing` at all for a model without a price (the published contract never sends it null).
    ...(p
      ? {
          pricing: { input_per_1m: p.input_per_1m, output_per_1m: p.output_per_1m, cached_input_per_1m: p.cached_input_per_1m ?? null, currency: "USD" },
          cost_per_1k_tokens: { input: p.input_per_1m / 1000, output: p.output_per_1m / 1000 },
        }
      : {}),
    ...(m.priceSource ? { pricing_source: m.priceSource } : {}),
  } as Schema<"Model">;
}
