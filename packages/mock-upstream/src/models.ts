import { sendJson } from "./http.js";
import type { Route } from "./route.js";

const MODELS = [
  { id: "gpt-4o-mini", owned_by: "system" },
  { id: "gpt-4o", owned_by: "system" },
  { id: "text-embedding-3-small", owned_by: "system" },
  { id: "claude-sonnet-4-5", owned_by: "anthropic" },
];
const CREATED = 1_721_172_741;

/** `GET /v1/models`. */
export const models: Route = {
  flavor: "openai",
  handle(ctx) {
    sendJson(ctx.ex.res, 200, {
      object: "list",
      data: MODELS.map((m) => ({ id: m.id, object: "model", created: CREATED, owned_by: m.owned_by })),
    });
  },
};
