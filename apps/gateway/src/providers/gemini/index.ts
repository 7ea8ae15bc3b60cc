import type { ProviderAdapter } from "../../core/provider-contract";
import { buildGeminiEmbeddingRequest } from "./build-gemini-embedding-request";
import { buildGeminiRequest } from "./build-gemini-request";
import { createGeminiStreamTransformer } from "./gemini-stream-transformer";
import { parseGeminiError } from "./parse-gemini-error";
import { parseGeminiEmbeddingResponse } from "./parse-gemini-embedding-response";
import { parseGeminiResponse } from "./parse-gemini-response";

/** Google's Gemini API (`/v1beta/models/{model}:generateContent`, embeddings via `:batchEmbedContents`) behind the OpenAI chat format. */
export const geminiAdapter: ProviderAdapter = {
  kind: "gemini",
  buildChatRequest: buildGeminiRequest,
  parseChatResponse: parseGeminiResponse,
  createStreamTransformer: createGeminiStreamTransformer,
  parseError: parseGeminiError,
  buildEmbeddingRequest: buildGeminiEmbeddingRequest,
  parseEmbeddingResponse: parseGeminiEmbeddingResponse,
  // Google answers 400 to a batchEmbedContents of more than 100 requests.
  maxEmbeddingInputs: 100,
};
