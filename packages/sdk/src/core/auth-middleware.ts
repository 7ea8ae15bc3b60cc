import type { Middleware } from "openapi-fetch";

/** Sends the tenant's API key as a bearer token, unless the call set its own Authorization header. */
export function authMiddleware(apiKey: string | undefined): Middleware {
  return {
    onRequest({ request }) {
      if (apiKey && !request.headers.has("authorization")) {
        request.headers.set("authorization", `Bearer ${apiKey}`);
      }
      return undefined;
    },
  };
}
