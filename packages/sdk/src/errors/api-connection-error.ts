import { RunestoneError } from "./runestone-error";

/** No response was received: DNS, refused or reset connection, TLS failure. */
export class APIConnectionError extends RunestoneError {
  override name = "APIConnectionError";

  constructor(message = "Connection error.", options: { cause?: unknown } = {}) {
    super(message, options);
  }
}
