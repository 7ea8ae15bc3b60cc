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

/** The first API version that takes `stream_options` (the date part of `api-version`). */
const STREAM_OPTIONS_SINCE = "2024-09-01";

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
      // API versions before 2024-09-01(-preview) do not know `stream_options` and refuse it (reported for
      // 2024-05-01-preview and 2024-06-01: openai-python#1469, azure-rest-api-specs#29157).
      if (ctx.body.stream_options !== undefined && apiVersion.slice(0, 10) < STREAM_OPTIONS_SINCE) {
        return sendJson(res, 400, { error: { code: null, message: "Unrecognized request argument supplied: stream_options", param: null, type: "invalid_request_error" } });
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
