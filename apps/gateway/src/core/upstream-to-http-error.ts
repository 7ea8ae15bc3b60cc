// Maps an UpstreamError (what a provider said) to the HttpError the client sees.
import { UpstreamError } from "./upstream-error";
import { HttpError, type ErrorType } from "./http-error";

export function upstreamToHttpError(err: UpstreamError): HttpError {
  const who = err.provider ? `provider ${err.provider}` : "the upstream provider";
  switch (err.kind) {
    case "timeout":
      return new HttpError({ status: 504, type: "service_error", code: "upstream_timeout", message: `${who} timed out: ${err.message}` });
    case "connection":
      return new HttpError({ status: 502, type: "service_error", code: "upstream_unreachable", message: `could not reach ${who}: ${err.message}` });
    case "configuration":
      return new HttpError({ status: 502, type: "service_error", code: err.code ?? "upstream_misconfigured", message: err.message });
    case "protocol":
      if (err.code === "upstream_response_too_large") return new HttpError({ status: 502, type: "service_error", code: err.code, message: `${who}: ${err.message}` });
      return new HttpError({ status: 502, type: "service_error", code: "upstream_protocol_error", message: `${who} sent an invalid response: ${err.message}` });
    case "aborted":
      return new HttpError({ status: 499 as number, type: "api_error", code: "client_closed_request", message: "the client closed the request" });
    case "http":
      break;
  }
  const status = err.status ?? 502;
  const headers: Record<string, string> = {};
  if (err.retryAfterMs !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
  if (status === 429) {
    return new HttpError({ status: 429, type: "rate_limit_error", code: err.code ?? "upstream_rate_limited", message: `${who} is rate limiting: ${err.message}`, headers });
  }
  if (status === 503 || err.type === "overloaded_error") {
    return new HttpError({ status: 503, type: "overloaded_error", code: err.code ?? "upstream_overloaded", message: `${who} is overloaded: ${err.message}`, headers });
  }
  if (status >= 500) {
    return new HttpError({ status: 502, type: "service_error", code: err.code ?? "upstream_error", message: `${who} failed (HTTP ${status}): ${err.message}` });
  }
  if (status === 404) {
    return new HttpError({ status: 404, type: "not_found_error", code: err.code ?? "upstream_not_found", message: `${who}: ${err.message}`, param: err.param });
  }
  if (status === 413) {
    return new HttpError({ status: 413, type: "invalid_request_error", code: err.code, message: `${who}: ${err.message}`, param: err.param });
  }
  const type: ErrorType = "invalid_request_error";
  return new HttpError({ status: 400, type, code: err.code, param: err.param, message: `${who} rejected the request: ${err.message}` });
}
