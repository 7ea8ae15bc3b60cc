// POST /v1/messages: the Express mount of the Anthropic Messages endpoint (endpoints/messages/). Errors on
// this route leave in Anthropic's shape (see error-handler.ts and endpoints/messages/to-anthropic-error.ts).
import { Router as ExpressRouter } from "express";
import { handleMessages, type MessagesDeps } from "../../endpoints/messages/messages-endpoint";

export function messagesRoutes(deps: MessagesDeps): ExpressRouter {
  const r = ExpressRouter();
  r.post("/v1/messages", (req, res) => handleMessages(deps, req, res));
  return r;
}
