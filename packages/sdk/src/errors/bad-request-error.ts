import { RunestoneError } from "./runestone-error";

/** HTTP 400. */
export class BadRequestError extends RunestoneError {
  override name = "BadRequestError";
}
