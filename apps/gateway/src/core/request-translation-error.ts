/**
 * A client request that cannot be expressed in Anthropic's format (for example tool call arguments that
 * are not JSON). The gateway maps it to a 400 `invalid_request_error` naming `param`; it is the client's
 * mistake, so it is never retried or sent to another provider.
 */
export class RequestTranslationError extends Error {
  readonly param: string;
  readonly type = "invalid_request_error";

  constructor(message: string, param: string) {
    super(message);
    this.name = "RequestTranslationError";
    this.param = param;
  }
}
