// The OpenAI adapter; also serves any OpenAI-compatible endpoint, whose differences are quirks in config.
import type { ChatCompletion, ProviderAdapter, ProviderKind } from "../../core/provider-contract";
import { buildOpenAIEmbeddingRequest } from "./build-openai-embedding-request";
import { buildOpenAIRequest } from "./build-openai-request";
import { buildOpenAIResponsesRequest } from "./build-openai-responses-request";
import { parseOpenAIError } from "./parse-openai-error";
import { createOpenAIStreamTransformer } from "./openai-stream-transformer";
import { parseOpenAIEmbeddingResponse } from "./parse-openai-embedding-response";
import { readChatCompletion } from "./read-openai-chat";
import { fillOpenAIAnswerNulls } from "./fill-openai-answer-nulls";
import { markUnchanged } from "../upstream-answer-text";

export function createOpenAIAdapter(kind: Extract<ProviderKind, "openai" | "openai-compatible"> = "openai"): ProviderAdapter {
  return {
    kind,
    buildChatRequest: buildOpenAIRequest,
    parseChatResponse: (json: unknown): ChatCompletion => {
      const completion = readChatCompletion(json);
      // Nothing sanitized or filled in: the upstream's own text says the same (upstream-answer-text.ts).
      if (!fillOpenAIAnswerNulls(completion) && completion === json) markUnchanged(completion);
      return completion;
    },
    createStreamTransformer: createOpenAIStreamTransformer,
    parseError: parseOpenAIError,
    buildEmbeddingRequest: buildOpenAIEmbeddingRequest,
    parseEmbeddingResponse: parseOpenAIEmbeddingResponse,
    // OpenAI itself serves the Responses API; an OpenAI-compatible server mostly does not, so it gets chat translation.
    ...(kind === "openai" ? { buildResponsesRequest: buildOpenAIResponsesRequest } : {}),
  };
}
