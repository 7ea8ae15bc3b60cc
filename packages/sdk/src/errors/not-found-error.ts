import { RunestoneError } from "./runestone-error";

/** HTTP 404. */
export class NotFoundError extends RunestoneError {
  override name = "NotFoundError";
}
