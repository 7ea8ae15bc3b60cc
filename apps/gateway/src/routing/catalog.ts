// The model catalog: public model ids, their deployments, capabilities and prices.
import type { ModelConfig, RunestoneConfig } from "../config/schema";
import type { Schema } from "@runestone/contract";
import type { Provider } from "../providers/types";
import type { ProviderRegistry } from "../providers/registry";

export type Pricing = NonNullable<ModelConfig["pricing"]>;

export interface Deployment {
  provider: Provider;
  /** The upstream's name for the model. */
  model: string;
  weight: number;
  /** What this deployment costs: its own price when configured, else the model's. */
  pricing?: Pricing;
}

export interface CatalogModel {
  id: string;
  family: string;
  capabilities: string[];
  contextWindow: number;
  maxOutputTokens: number;
  pricing?: ModelConfig["pricing"];
  /** Fields set on a request with tools when the client left them out (config `defaults_with_tools`). */
  defaultsWithTools?: Record<string, unknown>;
  ownedBy: string;
  created: number;
  deployments: Deployment[];
}

/** A fixed creation time for configured models, so listings are stable across restarts. */
const CATALOG_EPOCH = 1_735_689_600; // 2025-01-01T00:00:00Z

export class Catalog {
  private readonly models = new Map<string, CatalogModel>();

  constructor(config: RunestoneConfig, providers: ProviderRegistry) {
    for (const [id, m] of Object.entries(config.models)) {
      this.models.set(id, {
        id,
        family: m.family,
        capabilities: m.capabilities,
        contextWindow: m.context_window,
        maxOutputTokens: m.max_output_tokens,
        pricing: m.pricing,
        defaultsWithTools: m.defaults_with_tools,
        ownedBy: m.owned_by ?? m.deployments[0]!.provider,
        created: m.created ?? CATALOG_EPOCH,
        deployments: m.deployments.map((d) => ({ provider: providers.get(d.provider)!, model: d.model ?? id, weight: d.weight, pricing: d.pricing ?? m.pricing })),
      });
    }
  }

  get(id: string): CatalogModel | undefined {
    return this.models.get(id);
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

export function toApiModel(m: CatalogModel): Schema<"Model"> {
  const p = m.pricing;
  return {
    id: m.id,
    object: "model",
    created: m.created,
    owned_by: m.ownedBy,
    provider: (m.deployments.find((d) => d.provider.configured) ?? m.deployments[0]!).provider.id,
    capabilities: m.capabilities,
    family: m.family,
    context_window: m.contextWindow,
    max_tokens: m.maxOutputTokens,
    ...(p
      ? {
          pricing: { input_per_1m: p.input_per_1m, output_per_1m: p.output_per_1m, cached_input_per_1m: p.cached_input_per_1m ?? null, currency: "USD" },
          cost_per_1k_tokens: { input: p.input_per_1m / 1000, output: p.output_per_1m / 1000 },
        }
      : {}),
  } as Schema<"Model">;
}
