// An AWS SDK failure of a Bedrock call -> UpstreamError (the kinds in core/upstream-error.ts).
import { UpstreamError } from "../../core/upstream-error";

type SdkError = { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } };

/** Bedrock's exceptions by name: the status relayed and whether another try (or deployment) may succeed. */
const BY_NAME: Record<string, { status: number; retryable: boolean; type: string; quotaExceeded?: boolean }> = {
  ThrottlingException: { status: 429, retryable: true, type: "rate_limit_error" },
  // The account's service quota (Bedrock answers it as a 400; AWS: "You can resubmit your request later"): a rate
  // limit the client may retry (429 rate_limit_error, upstream_rate_limited), not OpenAI's insufficient_quota, which
  // clients read as a billing stop. Another deployment may still answer but this one will not within the request,
  // so it is marked quotaExceeded for the executor not to try it again.
  ServiceQuotaExceededException: { status: 429, retryable: true, type: "rate_limit_error", quotaExceeded: true },
  ServiceUnavailableException: { status: 503, retryable: true, type: "overloaded_error" },
  InternalServerException: { status: 500, retryable: true, type: "api_error" },
  ModelNotReadyException: { status: 503, retryable: true, type: "overloaded_error" },
  ModelErrorException: { status: 502, retryable: true, type: "api_error" },
  ModelStreamErrorException: { status: 502, retryable: true, type: "api_error" },
  ValidationException: { status: 400, retryable: false, type: "invalid_request_error" },
  ResourceNotFoundException: { status: 404, retryable: false, type: "not_found_error" },
};

/** Credentials that AWS refuses are our misconfiguration, not the client's. */
const CONFIGURATION = new Set(["AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "CredentialsProviderError"]);

export function mapBedrockError(err: unknown, providerId: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? "";
  const status = e.$metadata?.httpStatusCode;
  if (CONFIGURATION.has(name) || status === 401 || status === 403) {
    return new UpstreamError({
      kind: "configuration",
      status: status ?? 403,
      type: "permission_error",
      message: `Bedrock refused the configured AWS credentials for provider ${providerId} (${name || `HTTP ${status}`})`,
      retryable: false,
      provider: providerId,
    });
  }
  if (name === "ModelTimeoutException") return new UpstreamError({ kind: "timeout", message: `${name}: ${e.message || "the model did not answer in time"}`, provider: providerId });
  // The exception's name goes in the message, not in `code`: the client sees the gateway's declared codes.
  const known = BY_NAME[name];
  if (known) {
    return new UpstreamError({ kind: "http", status: known.status, type: known.type, quotaExceeded: known.quotaExceeded, message: `${name}: ${e.message || "no message"}`, retryable: known.retryable, provider: providerId });
  }
  if (status !== undefined) {
    return new UpstreamError({ kind: "http", status, type: "api_error", message: `${name || "error"}: ${e.message || `Bedrock answered HTTP ${status}`}`, provider: providerId });
  }
  if (name === "TimeoutError") return new UpstreamError({ kind: "timeout", message: "Bedrock did not answer in time", provider: providerId });
  return new UpstreamError({ kind: "connection", message: e.code ? `connection failed (${e.code})` : "connection to Bedrock failed", provider: providerId });
}
