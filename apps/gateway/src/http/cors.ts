// CORS, off unless `server.cors.origins` lists the browser origins that may call the gateway. Keys
// travel in headers (never cookies), so no credentials mode. A preflight from an origin not listed
// gets no CORS headers and falls through to the usual 401/405, which browsers treat as a refusal.
import type { RequestHandler } from "express";

export interface CorsConfig {
  /** Exact origins (`https://app.example.com`), or `*` for any. */
  origins: string[];
}

const ALLOW_METHODS = "GET, POST, PUT, DELETE";
const EXPOSE_HEADERS = [
  "x-request-id",
  // Anthropic's SDKs read the request id from here (the /v1/messages routes and Anthropic-shaped model listings).
  "request-id",
  "retry-after",
  "x-ratelimit-limit-requests",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-reset-requests",
  "x-ratelimit-limit-tokens",
  "x-ratelimit-remaining-tokens",
  "x-ratelimit-reset-tokens",
  "x-runestone-provider",
  "x-runestone-fallbacks",
  "x-runestone-routing-policy",
  "x-runestone-cache",
].join(", ");
const DEFAULT_ALLOW_HEADERS = "authorization, content-type, x-api-key, anthropic-version, x-request-id, x-runestone-overflow, x-runestone-cache, cache-control";
/** A header list is tokens and commas only; anything else is not reflected back. */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

export function cors(config: CorsConfig): RequestHandler {
  const any = config.origins.includes("*");
  const allowed = new Set(config.origins);
  return (req, res, next) => {
    res.vary("Origin");
    const origin = req.headers.origin;
    if (typeof origin !== "string" || !(any || allowed.has(origin))) return next();
    res.setHeader("access-control-allow-origin", origin);
    const preflightMethod = req.headers["access-control-request-method"];
    if (req.method !== "OPTIONS" || typeof preflightMethod !== "string") {
      res.setHeader("access-control-expose-headers", EXPOSE_HEADERS);
      return next();
    }
    const asked = req.headers["access-control-request-headers"];
    res.vary("Access-Control-Request-Headers");
    res.setHeader("access-control-allow-methods", ALLOW_METHODS);
    res.setHeader("access-control-allow-headers", typeof asked === "string" && HEADER_LIST.test(asked) ? asked : DEFAULT_ALLOW_HEADERS);
    res.setHeader("access-control-max-age", "600");
    res.status(204).end();
  };
}
