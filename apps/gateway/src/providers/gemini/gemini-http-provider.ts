import type { EmbeddingCall, EmbeddingResponse } from "../../core/provider-contract";
import { HttpProvider } from "../http-provider";
import { embedInBatches } from "./gemini-embedding-batches";

/**
 * The Gemini adapter run by HttpProvider, with embeddings of more than 100 inputs sent as several batchEmbedContents
 * requests (Google's cap per batch; the contract allows 2048 inputs) and answered as one list in input order.
 */
export class GeminiHttpProvider extends HttpProvider {
  declare readonly embed?: (call: EmbeddingCall, signal: AbortSignal) => Promise<EmbeddingResponse>;

  constructor(...args: ConstructorParameters<typeof HttpProvider>) {
    super(...args);
    // HttpProvider's own embed: one upstream request for one call, under its deadline and abort handling.
    const embedOne = this.embed;
    if (embedOne) this.embed = (call, signal) => embedInBatches(call, signal, embedOne);
  }
}
