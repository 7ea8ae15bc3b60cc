// POST /v1/embeddings: the route of the embeddings endpoint (endpoints/embeddings/), mounted with the
// other model routes by exactPostRoutes (http/exact-paths.ts).
import type { PostRoutes } from "../exact-paths";
import { handleEmbeddings, type EmbeddingsDeps } from "../../endpoints/embeddings/embeddings-endpoint";

export function embeddingsRoutes(deps: EmbeddingsDeps): PostRoutes {
  return {
    "/v1/embeddings": (req, res) => handleEmbeddings(deps, req, res),
  };
}
