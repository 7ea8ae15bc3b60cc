// The catalog in the shape of Anthropic's GET /v1/models, for Anthropic's SDKs (they send `anthropic-version`).
import type { Schema } from "@runestone/contract";
import type { CatalogModel } from "../core/catalog-model";
import { toApiModel } from "./catalog";

type AnthropicModel = Schema<"AnthropicModel">;

/**
 * Anthropic's model fields on top of the fields every model has (so the object is a valid OpenAI-style `Model`
 * too), without `capabilities`: Anthropic's SDK reads that name as an object of capability details, ours is a
 * list. `max_tokens` means the same on both sides (the output cap).
 */
export function toAnthropicModel(m: CatalogModel): AnthropicModel {
  const { capabilities: _capabilities, ...rest } = toApiModel(m);
  return {
    type: "model",
    display_name: m.id,
    created_at: new Date(m.created * 1000).toISOString().replace(".000Z", "Z"),
    max_input_tokens: Number.isFinite(m.contextWindow) ? m.contextWindow : null,
    ...rest,
  };
}

/** The list as Anthropic pages it, here always on one page. */
export function toAnthropicModelList(models: CatalogModel[]): Schema<"AnthropicModelList"> {
  const data = models.map(toAnthropicModel);
  return { object: "list", data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
