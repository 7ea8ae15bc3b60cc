// POST /v1/chat/completions (JSON or SSE) and POST /v1/chat/stream (always SSE): the Express mount of
// the chat endpoint (endpoints/chat/).
import { Router as ExpressRouter } from "express";
import { handleChat, type ChatDeps } from "../../endpoints/chat/chat-endpoint";

export function chatRoutes(deps: ChatDeps): ExpressRouter {
  const r = ExpressRouter();
  r.post("/v1/chat/completions", (req, res) => handleChat(deps, req, res, false));
  r.post("/v1/chat/stream", (req, res) => handleChat(deps, req, res, true));
  return r;
}
