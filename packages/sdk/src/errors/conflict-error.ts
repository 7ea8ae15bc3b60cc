import { RunestoneError } from "./runestone-error";

/** HTTP 409. */
export class ConflictError extends RunestoneError {
  override name = "ConflictError";
}
