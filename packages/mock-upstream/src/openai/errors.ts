import type { MockBehavior } from "../behavior.js";

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

type Default = { type: string; code: string | null; message: (model: string) => string };

const DEFAULTS: Record<number, Default> = {
  400: {
    type: "invalid_request_error",
    code: "context_length_exceeded",
    message: () =>
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. Please reduce the length of the messages.",
  },
  401: {
    type: "invalid_request_error",
    code: "invalid_api_key",
    message: () =>
      "Incorrect API key provided: sk-mock****. You can find your API key at https://platform.openai.com/account/api-keys.",
  },
  403: {
    type: "invalid_request_error",
    code: "unsupported_country_region_territory",
    message: () => "Country, region, or territory not supported",
  },
  404: {
    type: "invalid_request_error",
    code: "model_not_found",
    message: (model) => `The model \`${model}\` does not exist or you do not have access to it.`,
  },
  429: {
    type: "requests",
    code: "rate_limit_exceeded",
    message: (model) =>
      `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.`,
  },
  500: {
    type: "server_error",
    code: null,
    message: () => "The server had an error while processing your request. Sorry about that!",
  },
  503: {
    type: "service_unavailable",
    code: "overloaded",
    message: () => "The server is overloaded or not ready yet.",
  },
};

/**
 * The OpenAI error envelope for a status. `errorType` replaces both `type` and `code`, as OpenAI's own
 * special cases do (`insufficient_quota` is both).
 */
export function openaiError(status: number, behavior: MockBehavior = {}, model = "gpt-4o-mini"): OpenAIErrorBody {
  const d: Default = DEFAULTS[status] ?? {
    type: status >= 500 ? "server_error" : "invalid_request_error",
    code: null,
    message: () => `Mock upstream error (HTTP ${status}).`,
  };
  return {
    error: {
      message: behavior.errorMessage ?? d.message(model),
      type: behavior.errorType ?? d.type,
      param: null,
      code: behavior.errorType ?? d.code,
    },
  };
}

export function openaiInvalid(message: string, param: string | null = null, code: string | null = null): OpenAIErrorBody {
  return { error: { message, type: "invalid_request_error", param, code } };
}
