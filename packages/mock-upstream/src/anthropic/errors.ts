import type { MockBehavior } from "../behavior.js";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
}

const DEFAULTS: Record<number, { type: string; message: string }> = {
  400: { type: "invalid_request_error", message: "prompt is too long: 210000 tokens > 200000 maximum" },
  401: { type: "authentication_error", message: "invalid x-api-key" },
  403: { type: "permission_error", message: "Your API key does not have permission to use the specified resource." },
  404: { type: "not_found_error", message: "The requested resource could not be found." },
  413: { type: "request_too_large", message: "Request exceeds the maximum allowed number of bytes." },
  429: {
    type: "rate_limit_error",
    message: "Number of request tokens has exceeded your per-minute rate limit. Please try again later.",
  },
  500: { type: "api_error", message: "Internal server error" },
  529: { type: "overloaded_error", message: "Overloaded" },
};

export function anthropicError(status: number, behavior: MockBehavior = {}): AnthropicErrorBody {
  const d = DEFAULTS[status] ?? {
    type: status >= 500 ? "api_error" : "invalid_request_error",
    message: `Mock upstream error (HTTP ${status}).`,
  };
  return { type: "error", error: { type: behavior.errorType ?? d.type, message: behavior.errorMessage ?? d.message } };
}

export function anthropicInvalid(message: string): AnthropicErrorBody {
  return { type: "error", error: { type: "invalid_request_error", message } };
}
