import { RunestoneError } from "./runestone-error";

/** HTTP 401. */
export class AuthenticationError extends RunestoneError {
  override name = "AuthenticationError";
}
