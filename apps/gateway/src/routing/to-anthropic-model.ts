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
/** Anthropic's paging of GET /v1/models: `limit` items after `afterId`, or before `beforeId`; all of them without a limit. */
export interface AnthropicModelPage {
  limit?: number;
  afterId?: string;
  beforeId?: string;
}

export function toAnthropicModelList(models: CatalogModel[], page: AnthropicModelPage = {}): Schema<"AnthropicModelList"> {
  let start = 0;
  let end = models.length;
  // A cursor the list does not hold (a model removed since) pages from the start, or up to the end.
  if (page.afterId !== undefined) start = models.findIndex((m) => m.id === page.afterId) + 1;
  else if (page.beforeId !== undefined) {
    const at = models.findIndex((m) => m.id === page.beforeId);
    if (at >= 0) end = at;
  }
  if (page.limit !== undefined) {
    if (page.beforeId !== undefined && page.afterId === undefined) start = Math.max(0, end - page.limit);
    else end = Math.min(end, start + page.limit);
  }
  const data = models.slice(start, end).map(toAnthropicModel);
  // has_more is about the direction of travel: older pages for before_id, newer ones otherwise.
  const hasMore = page.beforeId !== undefined && page.afterId === undefined ? start > 0 : end < models.length;
  return { object: "list", data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
