import type { ErrorObject } from "../types";

export interface RunestoneErrorInit {
  status?: number | undefined;
  error?: ErrorObject | undefined;
  headers?: Headers | undefined;
  requestId?: string | undefined;
  cause?: unknown;
}

/** The base of every error this SDK throws. HTTP errors carry `status`; connection and stream errors do not. */
export class RunestoneError extends Error {
  override name = "RunestoneError";
  /** The HTTP status, or undefined when no response was received (connection, timeout, stream errors). */
  readonly status: number | undefined;
  /** The gateway's request id (the `x-request-id` header), to quote when reporting a problem. */
  readonly requestId: string | undefined;
  /** The `error` object of the gateway's OpenAI-shaped error body, when there was one. */
  readonly error: ErrorObject | undefined;
  /** The response headers, when there was a response. */
  readonly headers: Headers | undefined;

  constructor(message: string, init: RunestoneErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.error = init.error;
    this.headers = init.headers;
    this.requestId = init.requestId ?? init.headers?.get("x-request-id") ?? undefined;
  }

  /** The error's machine-readable code, e.g. `model_not_found`, `invalid_api_key`. */
  get code(): string | null | undefined {
    return this.error?.code;
  }

  /** The error class, e.g. `invalid_request_error`. */
  get type(): string | undefined {
    return this.error?.type;
  }

  /** The request field at fault, as a dotted path (e.g. `messages.0.role`). */
  get param(): string | null | undefined {
    return this.error?.param;
  }
}
