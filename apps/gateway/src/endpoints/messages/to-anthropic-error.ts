// Our errors -> Anthropic's error shape, for the Anthropic-compatible route.
import type { HttpError } from "../../core/http-error";
import type { MessagesErrorBody } from "./messages-types";

/** 503s about this gateway instance itself (shutting down, its state backend unreachable): not an overloaded model. */
const LOCAL_UNAVAILABLE = new Set(["draining", "state_unavailable"]);

/**
 * The status an Anthropic client gets for `err`: ours, except that an overloaded upstream is 529 as on
 * Anthropic's API (its SDKs map only 529 to OverloadedError). That covers an upstream 529 or 503, every
 * candidate overloaded after fallbacks, and every breaker open; the chat routes keep 503 for all of these.
 */
export function anthropicStatus(err: HttpError): number {
  const overloaded = err.status === 503 && err.type === "overloaded_error" && !LOCAL_UNAVAILABLE.has(err.code ?? "");
  return overloaded ? 529 : err.status;
}

/** Anthropic's error types by our type and status. */
export function toAnthropicErrorBody(err: HttpError): MessagesErrorBody {
  return { type: "error", error: { type: anthropicErrorType(err), message: err.message } };
}

function anthropicErrorType(err: HttpError): string {
  if (err.status === 413) return "request_too_large";
  switch (err.type) {
    case "service_error":
      return err.status === 504 ? "timeout_error" : "api_error";
    case "invalid_request_error":
    case "authentication_error":
    case "permission_error":
    case "not_found_error":
    case "rate_limit_error":
    case "overloaded_error":
    case "api_error":
      return err.type;
    case "insufficient_quota":
      // A spent budget: Anthropic's SDKs know it by its 429 as a rate limit.
      return "rate_limit_error";
    default:
      return "api_error";
  }
}

/** Requests whose errors answer in Anthropic's shape. */
export function isMessagesRoute(path: string): boolean {
  return path === "/v1/messages" || path.startsWith("/v1/messages/") || path.startsWith("/v1/messages?");
}
