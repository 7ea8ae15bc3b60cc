// POST /v1/embeddings: the Express mount of the embeddings endpoint (endpoints/embeddings/).
import { Router as ExpressRouter } from "express";
import { handleEmbeddings, type EmbeddingsDeps } from "../../endpoints/embeddings/embeddings-endpoint";

export function embeddingsRoutes(deps: EmbeddingsDeps): ExpressRouter {
  const r = ExpressRouter();
  r.post("/v1/embeddings", (req, res) => handleEmbeddings(deps, req, res));
  return r;
}
