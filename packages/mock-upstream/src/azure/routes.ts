// Azure OpenAI's data plane: `POST /openai/deployments/{deployment}/chat/completions|embeddings?api-version=...`
// with the key in `api-key`, and the v1 API's `POST /openai/v1/responses` (the deployment in the body's `model`,
// no api-version). Bodies, answers and errors are OpenAI's, so the OpenAI routes answer them; chat adds the
// content filter's annotations, in streams as chunks of their own (azure/content-filter.ts).
import { embeddings } from "../embeddings.js";
import { sendJson } from "../http.js";
import { azureChatCompletions } from "../openai/chat.js";
import { responses } from "../openai/responses.js";
import type { Route } from "../route.js";

const PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

/** Azure's own answer when a request lacks `api-version` or `api-key`, checked before the OpenAI route runs. */
function azureRoute(inner: Route): Route {
  return {
    flavor: "openai",
    handle(ctx) {
      const { req, res } = ctx.ex;
      const url = new URL(req.url ?? "/", "http://mock");
      const apiVersion = url.searchParams.get("api-version");
      if (!apiVersion) {
        return sendJson(res, 404, { error: { code: "404", message: "Resource not found" } });
      }
      if (typeof req.headers["api-key"] !== "string" || req.headers["api-key"] === "") {
        return sendJson(res, 401, { error: { code: "401", message: "Access denied due to missing subscription key." } });
      }
      // Azure takes the model from the path; the body's `model` is optional and ignored.
      const deployment = PATH.exec(url.pathname)?.[1] ?? "";
      if (typeof ctx.body.model !== "string") return inner.handle({ ...ctx, body: { ...ctx.body, model: deployment }, model: ctx.model ?? deployment });
      return inner.handle(ctx);
    },
  };
}

/** The v1 API's Responses route: the key is still `api-key`, but there is no api-version and no deployment path. */
const v1Responses: Route = {
  flavor: "openai",
  handle(ctx) {
    const key = ctx.ex.req.headers["api-key"];
    if (typeof key !== "string" || key === "") {
      return sendJson(ctx.ex.res, 401, { error: { code: "401", message: "Access denied due to missing subscription key." } });
    }
    return responses.handle(ctx);
  },
};

const chat = azureRoute(azureChatCompletions);
const embed = azureRoute(embeddings);

/** The Azure route for `POST` to a deployment path, or undefined. */
export function azureRouteFor(method: string | undefined, path: string): Route | undefined {
  if (method === "POST" && path === "/openai/v1/responses") return v1Responses;
  const m = method === "POST" ? PATH.exec(path) : null;
  if (!m) return undefined;
  return m[2] === "embeddings" ? embed : chat;
}
