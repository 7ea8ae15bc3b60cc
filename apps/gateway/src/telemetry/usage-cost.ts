// Cost of one request from the catalog's prices (USD per 1M tokens). Cached prompt tokens are priced
// at the cached input price when the model has one, otherwise as ordinary input. A model without a price
// has an unknown cost (null), never 0: it is reached by `provider/model` or a model pattern and neither the
// catalog nor the price table knows it.
import type { ModelConfig } from "../config/schema";

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

export function costUsd(pricing: NonNullable<ModelConfig["pricing"]>, t: TokenCounts): number;
export function costUsd(pricing: ModelConfig["pricing"] | undefined, t: TokenCounts): number | null;
export function costUsd(pricing: ModelConfig["pricing"] | undefined, t: TokenCounts): number | null {
  if (!pricing) return null;
  const cached = Math.min(t.cachedTokens, t.promptTokens);
  const cachedPrice = pricing.cached_input_per_1m ?? pricing.input_per_1m;
  return ((t.promptTokens - cached) * pricing.input_per_1m + cached * cachedPrice + t.completionTokens * pricing.output_per_1m) / 1_000_000;
}
