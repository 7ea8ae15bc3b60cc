import { parseRetryAfter, UpstreamError } from "../../core/upstream-error";
import type { AnthropicErrorBody } from "./anthropic-types";

type Headers = Record<string, string | string[] | undefined>;

/**
 * An Anthropic error answer -> UpstreamError. The body (`{type:"error", error:{type, message}}`) is read
 * leniently: a proxy in between may answer HTML or nothing. Messages never carry the API key or request
 * contents; Anthropic's own message is kept where it tells the client what to fix (4xx) or what happened.
 *
 * `provider` is left unset: the caller (HttpProvider) sets it to the configured provider id, which is what
 * the client's error message names (two Anthropic-type providers must be told apart). `providerId` names
 * it in the one message that carries no such prefix (the rejected key).
 */
export function parseAnthropicError(status: number, headers: Headers, bodyText: string, providerId = "anthropic"): UpstreamError {
  const { type, message } = readErrorBody(bodyText);

  if (status === 401 || status === 403) {
    return new UpstreamError({
      kind: "configuration",
      status,
      type: status === 401 ? "authentication_error" : "permission_error",
      message: `upstream rejected the configured API key for provider ${providerId} (HTTP ${status})`,
      retryable: false,
    });
  }
  if (status === 529 || type === "overloaded_error") {
    return new UpstreamError({
      kind: "http",
      status: 503,
      type: "overloaded_error",
      message: message ?? "upstream is overloaded",
      retryable: true,
      retryAfterMs: parseRetryAfter(headers),
    });
  }
  if (status === 429) {
    return new UpstreamError({
      kind: "http",
      status,
      type: "rate_limit_error",
      message: message ?? "upstream rate limit reached",
      retryable: true,
      retryAfterMs: parseRetryAfter(headers),
    });
  }
  if (status >= 500) {
    return new UpstreamError({
      kind: "http",
      status,
      type: "api_error",
      message: message ?? `upstream answered HTTP ${status}`,
      retryable: true,
      retryAfterMs: parseRetryAfter(headers),
    });
  }
  if (status === 404) {
    return new UpstreamError({
      kind: "http",
      status,
      type: "not_found_error",
      message: message ?? "upstream answered HTTP 404",
      retryable: false,
    });
  }
  // 400, 413 and other client errors: the request is wrong for this upstream; retrying it cannot help.
  return new UpstreamError({
    kind: "http",
    status,
    type: "invalid_request_error",
    message: message ?? `upstream answered HTTP ${status}`,
    retryable: status === 408 || status === 409,
  });
}

/**
 * An `error` event inside a 200 stream. Overloaded is a 503 like its HTTP twin; anything else is an
 * api_error (500); both retryable as far as the upstream is concerned (the gateway decides whether content
 * already reached the client).
 */
export function anthropicStreamError(error: { type?: string; message?: string } | undefined): UpstreamError {
  if (error?.type === "overloaded_error") {
    return new UpstreamError({
      kind: "http",
      status: 503,
      type: "overloaded_error",
      message: error.message ?? "upstream is overloaded",
      retryable: true,
    });
  }
  return new UpstreamError({
    kind: "http",
    status: 500,
    type: "api_error",
    message: error?.message ?? "upstream stream failed",
    retryable: true,
  });
}

function readErrorBody(bodyText: string): { type?: string; message?: string } {
  try {
    const parsed = JSON.parse(bodyText) as AnthropicErrorBody | null;
    const error = parsed && typeof parsed === "object" ? parsed.error : undefined;
    return {
      type: typeof error?.type === "string" ? error.type : undefined,
      message: typeof error?.message === "string" && error.message !== "" ? error.message : undefined,
    };
  } catch {
    return {};
  }
}
