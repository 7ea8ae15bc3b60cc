import { APIConnectionError } from "./api-connection-error";

/** No response headers arrived within `timeout`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = "APIConnectionTimeoutError";

  constructor(message = "Request timed out.", options: { cause?: unknown } = {}) {
    super(message, options);
  }
}
