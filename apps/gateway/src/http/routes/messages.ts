// POST /v1/messages and POST /v1/messages/count_tokens: the routes of the Anthropic Messages endpoints
// (endpoints/messages/), mounted with the other model routes by exactPostRoutes (http/exact-paths.ts).
// Errors on these routes leave in Anthropic's shape (see error-handler.ts and
// endpoints/messages/to-anthropic-error.ts).
import type { PostRoutes } from "../exact-paths";
import { handleCountTokens } from "../../endpoints/messages/count-tokens-endpoint";
import { handleMessages, type MessagesDeps } from "../../endpoints/messages/messages-endpoint";

export function messagesRoutes(deps: MessagesDeps): PostRoutes {
  return {
    "/v1/messages": (req, res) => handleMessages(deps, req, res),
    "/v1/messages/count_tokens": (req, res) => handleCountTokens(deps, req, res),
  };
}
