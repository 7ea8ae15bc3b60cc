import { RunestoneError } from "./runestone-error";

/** HTTP 403. */
export class PermissionDeniedError extends RunestoneError {
  override name = "PermissionDeniedError";
}
