import type { Exchange } from "../exchange.js";
import { embeddingFor } from "../embeddings.js";
import { sendJson } from "../http.js";
import { geminiInvalid } from "./errors.js";

const DEFAULT_DIMENSIONS = 8;
/** Google refuses a batch of more requests than this with a 400. */
const MAX_BATCH = 100;

/**
 * `POST /v1beta/models/{model}:batchEmbedContents`: `{embeddings: [{values}]}`, one per request, the same vectors as
 * /v1/embeddings; more than 100 requests in one batch are refused, as Google does.
 */
export function batchEmbedContents(ex: Exchange, model: string, body: Record<string, unknown>): void {
  const requests = body.requests;
  if (!Array.isArray(requests) || requests.length === 0) return sendJson(ex.res, 400, geminiInvalid("* BatchEmbedContentsRequest.requests: requests is not specified"));
  if (requests.length > MAX_BATCH) return sendJson(ex.res, 400, geminiInvalid(`* BatchEmbedContentsRequest.requests: at most ${MAX_BATCH} requests can be in one batch`));
  const embeddings = [];
  for (const [i, r] of requests.entries()) {
    const req = r as { model?: unknown; content?: { parts?: Array<{ text?: unknown }> }; outputDimensionality?: unknown };
    if (req?.model !== `models/${model}`) {
      return sendJson(ex.res, 400, geminiInvalid(`* BatchEmbedContentsRequest.requests[${i}].model: model must be models/${model}`));
    }
    const text = (req.content?.parts ?? []).map((p) => (typeof p?.text === "string" ? p.text : "")).join(" ");
    const dims = typeof req.outputDimensionality === "number" ? req.outputDimensionality : DEFAULT_DIMENSIONS;
    embeddings.push({ values: embeddingFor(text, dims) });
  }
  sendJson(ex.res, 200, { embeddings });
}
