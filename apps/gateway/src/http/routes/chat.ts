// POST /v1/chat/completions (JSON or SSE) and POST /v1/chat/stream (always SSE): the routes of the chat
// endpoint (endpoints/chat/), mounted with the other model routes by exactPostRoutes (http/exact-paths.ts).
import type { PostRoutes } from "../exact-paths";
import { handleChat, type ChatDeps } from "../../endpoints/chat/chat-endpoint";

export function chatRoutes(deps: ChatDeps): PostRoutes {
  return {
    "/v1/chat/completions": (req, res) => handleChat(deps, req, res, false),
    "/v1/chat/stream": (req, res) => handleChat(deps, req, res, true),
  };
}
