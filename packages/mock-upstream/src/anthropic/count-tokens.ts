import { sendJson } from "../http.js";
import type { Route } from "../route.js";
import { anthropicInvalid } from "./errors.js";
import { readMessagesRequest } from "./messages-request.js";

/**
 * `POST /v1/messages/count_tokens`: the prompt's tokens as `POST /v1/messages` would report them (a word per token
 * plus 3 per message), or `usage.prompt_tokens` from the behaviour, so tests can tell an upstream count from an
 * estimate.
 */
export const countTokens: Route = {
  flavor: "anthropic",
  handle(ctx) {
    for (const field of ["model", "messages"]) {
      if (ctx.body[field] === undefined) return sendJson(ctx.ex.res, 400, anthropicInvalid(`${field}: Field required`));
    }
    const input = readMessagesRequest(ctx.body);
    sendJson(ctx.ex.res, 200, { input_tokens: ctx.behavior.usage?.prompt_tokens ?? input.promptTokens });
  },
};
