import { RunestoneError } from "./runestone-error";

/** HTTP 422. */
export class UnprocessableEntityError extends RunestoneError {
  override name = "UnprocessableEntityError";
}
