// A public model and the deployments that serve it, as the catalog (routing/catalog.ts) builds them:
// what a route plan's candidates point at, and what pricing and accounting read.
import type { ModelConfig } from "../config/schema";
import type { Provider } from "./provider-contract";

export type Pricing = NonNullable<ModelConfig["pricing"]>;

export interface Deployment {
  provider: Provider;
  /** The upstream's name for the model. */
  model: string;
  weight: number;
  /** What this deployment costs: its own price when configured, else the model's. */
  pricing?: Pricing;
}

/** How a model was reached: a catalog entry, `<provider>/<model>`, a provider's model_patterns, or discovery. */
export type ModelSource = "catalog" | "provider_prefix" | "model_pattern" | "discovered";

export interface CatalogModel {
  id: string;
  family: string;
  capabilities: string[];
  /** False when nothing says what the model can do (outside the catalog and the price table): nothing is ruled out. */
  capabilitiesKnown: boolean;
  /** Infinity when unknown. */
  contextWindow: number;
  maxOutputTokens: number;
  /** False when maxOutputTokens is a default, not the model's own limit. */
  maxOutputKnown?: boolean;
  pricing?: ModelConfig["pricing"];
  /** Fields set on a request with tools when the client left them out (config `defaults_with_tools`). */
  defaultsWithTools?: Record<string, unknown>;
  ownedBy: string;
  created: number;
  deployments: Deployment[];
  source: ModelSource;
  /** Where a price-table price comes from (config/prices.yaml `source`). */
  priceSource?: string;
}
