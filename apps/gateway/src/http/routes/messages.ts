// POST /v1/messages and POST /v1/messages/count_tokens: the Express mounts of the Anthropic Messages endpoints
// (endpoints/messages/). Errors on these routes leave in Anthropic's shape (see error-handler.ts and
// endpoints/messages/to-anthropic-error.ts).
import { Router as ExpressRouter } from "express";
import { handleCountTokens } from "../../endpoints/messages/count-tokens-endpoint";
import { handleMessages, type MessagesDeps } from "../../endpoints/messages/messages-endpoint";

export function messagesRoutes(deps: MessagesDeps): ExpressRouter {
  const r = ExpressRouter();
  r.post("/v1/messages", (req, res) => handleMessages(deps, req, res));
  r.post("/v1/messages/count_tokens", (req, res) => handleCountTokens(deps, req, res));
  return r;
}
