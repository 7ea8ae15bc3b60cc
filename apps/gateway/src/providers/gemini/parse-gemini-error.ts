import { parseRetryAfter, UpstreamError } from "../../core/upstream-error";
import type { GeminiErrorBody } from "./gemini-types";

type Headers = Record<string, string | string[] | undefined>;

/**
 * A Gemini error answer (`{error:{code, message, status, details}}`) -> UpstreamError, read leniently (a proxy
 * may answer HTML). 400 INVALID_ARGUMENT / FAILED_PRECONDITION are the request's fault: not retryable. A bad
 * key comes as 400 with reason API_KEY_INVALID (or 401/403): a configuration error. 429 RESOURCE_EXHAUSTED
 * and 500/503/504 are retryable; the wait comes from Retry-After or the RetryInfo detail's `retryDelay`.
 * `provider` is left unset: HttpProvider sets it to the configured id, which the client's message names (two
 * Gemini-type providers must be told apart); `providerId` names it in the rejected key's message.
 */
export function parseGeminiError(status: number, headers: Headers, bodyText: string, providerId = "gemini"): UpstreamError {
  const { message, statusName, reasons, retryDelayMs } = readErrorBody(bodyText);

  if (status === 401 || status === 403 || reasons.includes("API_KEY_INVALID") || statusName === "UNAUTHENTICATED") {
    return new UpstreamError({
      kind: "configuration",
      status: status === 400 ? 401 : status,
      type: status === 403 ? "permission_error" : "authentication_error",
      message: `upstream rejected the configured API key for provider ${providerId} (HTTP ${status})`,
      retryable: false,
    });
  }
  if (status === 429) {
    return new UpstreamError({
      kind: "http",
      status,
      type: "rate_limit_error",
      code: statusName ?? null,
      message: message ?? "upstream rate limit reached",
      retryable: true,
      retryAfterMs: parseRetryAfter(headers) ?? retryDelayMs,
    });
  }
  if (status >= 500) {
    return new UpstreamError({
      kind: "http",
      status,
      type: status === 503 ? "overloaded_error" : "api_error",
      code: statusName ?? null,
      message: message ?? `upstream answered HTTP ${status}`,
      retryable: true,
      retryAfterMs: parseRetryAfter(headers) ?? retryDelayMs,
    });
  }
  return new UpstreamError({
    kind: "http",
    status,
    type: status === 404 ? "not_found_error" : "invalid_request_error",
    code: statusName ?? null,
    message: message ?? `upstream answered HTTP ${status}`,
    retryable: status === 408 || status === 409,
  });
}

function readErrorBody(bodyText: string): { message?: string; statusName?: string; reasons: string[]; retryDelayMs?: number } {
  try {
    const parsed = JSON.parse(bodyText) as GeminiErrorBody | GeminiErrorBody[] | null;
    // Some Google front ends wrap the error in a one-element array.
    const error = (Array.isArray(parsed) ? parsed[0] : parsed)?.error;
    if (!error || typeof error !== "object") return { reasons: [] };
    const details = Array.isArray(error.details) ? error.details : [];
    const reasons = details.map((d) => d?.reason).filter((r): r is string => typeof r === "string");
    const delay = details.map((d) => d?.retryDelay).find((d): d is string => typeof d === "string");
    const seconds = delay === undefined ? NaN : Number.parseFloat(delay);
    return {
      message: typeof error.message === "string" && error.message !== "" ? error.message : undefined,
      statusName: typeof error.status === "string" ? error.status : undefined,
      reasons,
      retryDelayMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined,
    };
  } catch {
    return { reasons: [] };
  }
}
