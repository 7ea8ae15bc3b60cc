import type { ProviderAdapter } from "../../core/provider-contract";
import { createAnthropicStreamTransformer } from "./anthropic-stream-transformer";
import { buildAnthropicPassthroughRequest } from "./build-anthropic-passthrough-request";
import { buildAnthropicRequest } from "./build-anthropic-request";
import { parseAnthropicError } from "./parse-anthropic-error";
import { parseAnthropicResponse } from "./parse-anthropic-response";

/** Anthropic Messages API (`POST /v1/messages`) behind the OpenAI chat format. */
export const anthropicAdapter: ProviderAdapter = {
  kind: "anthropic",
  buildChatRequest: buildAnthropicRequest,
  parseChatResponse: parseAnthropicResponse,
  createStreamTransformer: createAnthropicStreamTransformer,
  parseError: parseAnthropicError,
  buildPassthroughRequest: buildAnthropicPassthroughRequest,
};

export { RequestTranslationError } from "../../core/request-translation-error";
export { ANTHROPIC_VERSION } from "./build-anthropic-request";
