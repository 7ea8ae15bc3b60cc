import type { ErrorObject } from "../types";
import { AuthenticationError } from "./authentication-error";
import { BadRequestError } from "./bad-request-error";
import { ConflictError } from "./conflict-error";
import { InternalServerError } from "./internal-server-error";
import { NotFoundError } from "./not-found-error";
import { PermissionDeniedError } from "./permission-denied-error";
import { RateLimitError } from "./rate-limit-error";
import { RunestoneError, type RunestoneErrorInit } from "./runestone-error";
import { UnprocessableEntityError } from "./unprocessable-entity-error";

type ErrorClass = new (message: string, init: RunestoneErrorInit) => RunestoneError;

const byStatus: Record<number, ErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** The one place an HTTP error status becomes an error class. `body` is the parsed (or raw text) error body. */
export function makeError(status: number, body: unknown, headers: Headers): RunestoneError {
  const error = readErrorObject(body);
  const detail = error?.message ?? (typeof body === "string" && body.trim() ? body.trim() : "status code (no body)");
  const Class = byStatus[status] ?? (status >= 500 ? InternalServerError : RunestoneError);
  return new Class(`${status} ${detail}`, { status, error, headers });
}

/** Reads `{"error": {...}}` loosely: only `message` is required, the other fields default to the contract's nulls. */
export function readErrorObject(body: unknown): ErrorObject | undefined {
  if (!body || typeof body !== "object" || !("error" in body)) return undefined;
  const raw = (body as { error: unknown }).error;
  if (!raw || typeof raw !== "object") return undefined;
  const e = raw as Record<string, unknown>;
  if (typeof e.message !== "string") return undefined;
  return {
    ...e,
    message: e.message,
    type: typeof e.type === "string" ? e.type : "api_error",
    code: typeof e.code === "string" ? e.code : null,
    param: typeof e.param === "string" ? e.param : null,
  };
}
