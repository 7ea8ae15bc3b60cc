import { RunestoneError } from "./runestone-error";

/** The caller's own `signal` aborted the request. Never retried. */
export class APIUserAbortError extends RunestoneError {
  override name = "APIUserAbortError";

  constructor(message = "Request was aborted.", options: { cause?: unknown } = {}) {
    super(message, options);
  }
}
