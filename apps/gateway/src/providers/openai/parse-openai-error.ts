// An OpenAI-shaped error response -> UpstreamError. Upstream 401/403 mean our key is wrong: a
// configuration error, never retried, never echoing the key.
import { parseRetryAfter, UpstreamError } from "../../core/upstream-error";

export function parseOpenAIError(status: number, headers: Record<string, string | string[] | undefined>, bodyText: string): UpstreamError {
  let message = `HTTP ${status}`;
  let type: string | undefined;
  let code: string | null = null;
  let param: string | null = null;
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } | string };
    const e = parsed.error;
    if (typeof e === "string") message = e;
    else if (e && typeof e === "object") {
      if (typeof e.message === "string") message = e.message;
      if (typeof e.type === "string") type = e.type;
      if (typeof e.code === "string" || typeof e.code === "number") code = String(e.code);
      if (typeof e.param === "string") param = e.param;
    }
  } catch {
    // not JSON: keep the status only, the body may be an HTML error page
  }
  if (status === 401 || status === 403) {
    return new UpstreamError({
      kind: "configuration",
      status,
      code: "upstream_auth_failed",
      message: `the upstream rejected the gateway's configured credentials (HTTP ${status}); check the provider's API key`,
    });
  }
  return new UpstreamError({
    kind: "http",
    status,
    type: status === 503 ? "overloaded_error" : type,
    code,
    param,
    message, // UpstreamError redacts it, then cuts it to its display length
    retryAfterMs: parseRetryAfter(headers),
  });
}
