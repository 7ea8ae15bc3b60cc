import { RunestoneError } from "./runestone-error";

/** HTTP >= 500. */
export class InternalServerError extends RunestoneError {
  override name = "InternalServerError";
}
