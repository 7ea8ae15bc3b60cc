// Any error, from any floor, as the HttpError the client sees: what the lower floors throw (HttpError,
// UpstreamError, an unreachable state backend, an untranslatable request) and what Express's body parser
// and the spec validator raise. http/error-handler.ts writes the result in the route's envelope; queued
// jobs store it as their error. Anything unknown is a 500 that never shows its message.
import { HttpError } from "./http-error";
import { RequestTranslationError } from "./request-translation-error";
import { isStateUnreachable, stateUnavailable } from "./state-unavailable";
import { UpstreamError } from "./upstream-error";
import { upstreamToHttpError } from "./upstream-to-http-error";

interface ValidatorErrorItem {
  path?: string;
  message?: string;
  errorCode?: string;
}

export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof UpstreamError) return upstreamToHttpError(err);
  // Redis unreachable (jobs, usage, admin routes in Redis mode): fail closed with a 503 to retry, never a 500.
  if (isStateUnreachable(err)) return stateUnavailable("to serve this request");
  if (err instanceof RequestTranslationError) {
    return new HttpError({ status: 400, type: "invalid_request_error", code: "invalid_request", param: err.param ?? null, message: err.message });
  }
  const e = err as { status?: number; statusCode?: number; type?: string; errors?: ValidatorErrorItem[]; message?: string; name?: string };
  // body-parser
  if (e?.type === "entity.parse.failed") {
    return new HttpError({ status: 400, type: "invalid_request_error", code: "invalid_json", message: "the request body is not valid JSON" });
  }
  if (e?.type === "entity.too.large") {
    return new HttpError({ status: 413, type: "invalid_request_error", code: "request_too_large", message: "the request body is larger than the gateway accepts" });
  }
  if (e?.type === "encoding.unsupported" || e?.type === "charset.unsupported") {
    return new HttpError({ status: 415, type: "invalid_request_error", code: "unsupported_encoding", message: e.message ?? "unsupported body encoding" });
  }
  // express-openapi-validator
  if (Array.isArray(e?.errors) && typeof e.status === "number") return fromValidator(e.status, e.errors);
  // Any other client error a library raises (http-errors, e.g. a malformed URI): the client's fault, so a 400, never a 500.
  const status = e?.status ?? e?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new HttpError({ status: 400, type: "invalid_request_error", code: "invalid_request", message: "the request could not be read" });
  }
  return new HttpError({ status: 500, type: "api_error", code: "internal_error", message: "the gateway hit an internal error; see its logs with this request id" });
}

function fromValidator(status: number, errors: ValidatorErrorItem[]): HttpError {
  errors = relevantErrors(errors);
  const param = paramFromPath(errors[0]?.path ?? "");
  if (status === 404) return new HttpError({ status: 404, type: "not_found_error", code: "unknown_route", message: "no such route" });
  if (status === 405) return new HttpError({ status: 405, type: "invalid_request_error", code: "method_not_allowed", message: "this route does not accept that method" });
  if (status === 415) return new HttpError({ status: 415, type: "invalid_request_error", code: "unsupported_media_type", message: "send the body as application/json" });
  const message = errors
    .slice(0, 5)
    .map((x) => `${paramFromPath(x.path ?? "") ?? "body"}: ${x.message ?? "invalid"}`)
    .join("; ");
  return new HttpError({ status: status >= 400 && status < 500 ? status : 400, type: "invalid_request_error", code: "invalid_request", param, message });
}

const BRANCH_MISMATCH = /^must be equal to (one of the allowed values|constant)/;
const REQUIRED = /^must have required property/;
const ONE_OF_SUMMARY = /^must match (exactly one|a) schema in (oneOf|anyOf)/;

/**
 * The errors that explain what is wrong, most specific first. A message is a oneOf over roles (content
 * parts over types), so the validator reports every branch: "role must be system", "role must be
 * developer", ... and, from the branch the client meant, the real problem. Branch mismatches on `role` /
 * `type` and the oneOf summary are dropped when a branch failed past its required properties (an unknown
 * role keeps them: that is then the problem), and the deepest path comes first, so `param` names the field to fix
 * (`messages.0.content`, not `messages.0.role`).
 */
export function relevantErrors(errors: ValidatorErrorItem[]): ValidatorErrorItem[] {
  const isNoise = (e: ValidatorErrorItem) =>
    ONE_OF_SUMMARY.test(e.message ?? "") || (BRANCH_MISMATCH.test(e.message ?? "") && /[/.](role|type)$/.test(e.path ?? ""));
  const kept = errors.filter((e) => !isNoise(e));
  // Only a problem past a branch's `required` shows which branch the client meant: a missing property
  // alone is also what an unknown role gives (the tool branch wants tool_call_id before it looks at role).
  const meant = kept.some((e) => !REQUIRED.test(e.message ?? ""));
  const chosen = meant ? kept : errors;
  const depth = (e: ValidatorErrorItem) => (e.path ?? "").split(/[/.]/).filter(Boolean).length;
  return chosen.map((e, i) => ({ e, i })).sort((a, b) => depth(b.e) - depth(a.e) || a.i - b.i).map(({ e }) => e);
}

/** `/body/messages/0/role` -> `messages.0.role`; `/body` -> null. */
export function paramFromPath(path: string): string | null {
  const parts = path.split(/[/.]/).filter(Boolean);
  if (parts[0] === "body" || parts[0] === "query" || parts[0] === "params" || parts[0] === "headers") parts.shift();
  return parts.length ? parts.join(".") : null;
}
