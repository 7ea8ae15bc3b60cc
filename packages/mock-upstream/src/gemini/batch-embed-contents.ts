import type { Exchange } from "../exchange.js";
import { embeddingFor } from "../embeddings.js";
import { sendJson } from "../http.js";
import { geminiInvalid } from "./errors.js";

const DEFAULT_DIMENSIONS = 8;

/** `POST /v1beta/models/{model}:batchEmbedContents`: `{embeddings: [{values}]}`, one per request, the same vectors as /v1/embeddings. */
export function batchEmbedContents(ex: Exchange, model: string, body: Record<string, unknown>): void {
  const requests = body.requests;
  if (!Array.isArray(requests) || requests.length === 0) return sendJson(ex.res, 400, geminiInvalid("* BatchEmbedContentsRequest.requests: requests is not specified"));
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
