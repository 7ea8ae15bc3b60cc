// The upstream's embeddings list, checked only where a client would break: a `data` array whose items carry a
// vector (numbers, or base64 text) and an index. Usage defaults to zero for servers that omit it.
import type { EmbeddingCall, EmbeddingResponse } from "../../core/provider-contract";
import { tokenCount } from "../sanitize-usage";
import { UpstreamError } from "../../core/upstream-error";

interface LooseEmbeddingList {
  data?: Array<{ index?: unknown; embedding?: unknown }>;
  model?: unknown;
  usage?: { prompt_tokens?: unknown; total_tokens?: unknown } | null;
}

export function parseOpenAIEmbeddingResponse(json: unknown, call: EmbeddingCall): EmbeddingResponse {
  const list = json as LooseEmbeddingList | null;
  if (!list || typeof list !== "object" || !Array.isArray(list.data)) {
    throw new UpstreamError({ kind: "protocol", message: "embeddings response without a data array" });
  }
  const data = list.data.map((item, i) => {
    const v = item?.embedding;
    if (typeof v !== "string" && !(Array.isArray(v) && v.every((x) => typeof x === "number"))) {
      throw new UpstreamError({ kind: "protocol", message: `embedding ${i} is neither numbers nor base64` });
    }
    return { ...item, object: "embedding" as const, index: typeof item.index === "number" ? item.index : i, embedding: v };
  });
  // Counts that are not token counts (a string, -5, 1e400) count as 0, as a missing report does.
  const prompt = tokenCount(list.usage?.prompt_tokens) ?? 0;
  const total = tokenCount(list.usage?.total_tokens) ?? prompt;
  return {
    ...(list as Record<string, unknown>),
    object: "list",
    data,
    model: typeof list.model === "string" ? list.model : call.upstreamModel,
    usage: { prompt_tokens: prompt, total_tokens: total },
  };
}
