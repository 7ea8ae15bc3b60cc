// The one error class the server throws; the error handler turns it into OpenAI's envelope.

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  /** 429 for a spent budget (OpenAI's type for an exhausted quota). */
  | "insufficient_quota"
  | "api_error"
  | "overloaded_error"
  | "service_error";

export interface HttpErrorInit {
  status: number;
  type: ErrorType;
  message: string;
  code?: string | null;
  param?: string | null;
  headers?: Record<string, string>;
}

export class HttpError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(init: HttpErrorInit) {
    super(init.message);
    this.name = "HttpError";
    this.status = init.status;
    this.type = init.type;
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.headers = init.headers ?? {};
  }

  toBody(): { error: { message: string; type: string; code: string | null; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new HttpError({ status: 400, type: "invalid_request_error", message, param, code });

export const notFound = (message: string, code: string | null = null, param: string | null = null) =>
  new HttpError({ status: 404, type: "not_found_error", message, code, param });

/** 403 for a model that exists but that the tenant's `allowed_models` leaves out (404 is for unknown models). */
export const modelNotAllowed = (model: string) =>
  new HttpError({ status: 403, type: "permission_error", code: "model_not_allowed", param: "model", message: `This API key's tenant may not use the model '${model}'; GET /v1/models lists the models it can use.` });
