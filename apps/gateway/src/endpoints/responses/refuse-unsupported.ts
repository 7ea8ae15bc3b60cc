// The Responses API features the gateway does not serve (yet), refused before anything runs, each with a 400
// naming its field: a background response would escape accounting (its usage comes later, from a poll the
// gateway never makes) and stay "queued" in the tenant's store with no way to cancel it; an OpenAI
// `conversation` lives under the shared upstream key, where another tenant's could be read. A request with
// nothing to answer (no input, no previous response, no prompt template) is the client's 400 too, said by us
// rather than by a provider.
import { badRequest } from "../../core/http-error";
import type { ResponsesBody } from "./responses-types";

export function refuseUnsupported(body: ResponsesBody): void {
  if (body.background === true) {
    throw badRequest("The gateway does not support background responses yet; send the request without `background` (or with `background: false`).", "background", "unsupported_parameter");
  }
  if (body.conversation !== undefined && body.conversation !== null) {
    throw badRequest("OpenAI conversations (`conversation`) are not supported by the gateway; continue a stored response with `previous_response_id` instead.", "conversation", "unsupported_parameter");
  }
  const hasPrevious = typeof body.previous_response_id === "string" && body.previous_response_id !== "";
  if (body.input === undefined && !hasPrevious && (body.prompt === undefined || body.prompt === null)) {
    throw badRequest("`input` is required unless `previous_response_id` (or, for OpenAI models, `prompt`) is given.", "input", "missing_required_parameter");
  }
}
