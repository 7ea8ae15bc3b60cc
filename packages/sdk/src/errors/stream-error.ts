import { RunestoneError } from "./runestone-error";

/**
 * A stream failed after its HTTP 200: the gateway sent an `{"error": ...}` event (see `error`), the connection
 * ended before `data: [DONE]`, or an event was not valid JSON. Status-less because the status line was already 200.
 */
export class StreamError extends RunestoneError {
  override name = "StreamError";
}
