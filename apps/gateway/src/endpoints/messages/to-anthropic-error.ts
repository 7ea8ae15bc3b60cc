// Our errors -> Anthropic's error shape, for the Anthropic-compatible route.
import type { HttpError } from "../../core/http-error";
import type { MessagesErrorBody } from "./messages-types";

/** Anthropic's error types by our type and status; the HTTP status itself stays ours. */
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
    default:
      return "api_error";
  }
}

/** Requests whose errors answer in Anthropic's shape. */
export function isMessagesRoute(path: string): boolean {
  return path === "/v1/messages" || path.startsWith("/v1/messages/") || path.startsWith("/v1/messages?");
}
