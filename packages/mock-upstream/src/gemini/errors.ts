import type { MockBehavior } from "../behavior.js";

/** Google's error body: `{error: {code, message, status}}`, status being the google.rpc code name. */
export interface GeminiErrorBody {
  error: { code: number; message: string; status: string };
}

const DEFAULTS: Record<number, { status: string; message: string }> = {
  400: { status: "INVALID_ARGUMENT", message: "Request contains an invalid argument." },
  403: { status: "PERMISSION_DENIED", message: "The caller does not have permission" },
  404: { status: "NOT_FOUND", message: "models/unknown is not found for API version v1beta." },
  429: { status: "RESOURCE_EXHAUSTED", message: "Resource has been exhausted (e.g. check quota)." },
  500: { status: "INTERNAL", message: "An internal error has occurred." },
  503: { status: "UNAVAILABLE", message: "The model is overloaded. Please try again later." },
};

export function geminiError(status: number, behavior: MockBehavior = {}): GeminiErrorBody {
  const d = DEFAULTS[status] ?? { status: status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT", message: `Mock upstream error (HTTP ${status}).` };
  return { error: { code: status, message: behavior.errorMessage ?? d.message, status: behavior.errorType ?? d.status } };
}

export function geminiInvalid(message: string): GeminiErrorBody {
  return { error: { code: 400, message, status: "INVALID_ARGUMENT" } };
}
