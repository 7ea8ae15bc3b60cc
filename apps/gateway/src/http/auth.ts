// Bearer key -> tenant. Keys are kept only as SHA-256 hashes; the presented key is hashed and
// the match confirmed with a constant-time comparison.
import type { RequestHandler } from "express";
import { HttpError } from "../core/http-error";
import { contextOf } from "../core/request-context";
import type { KeyStore } from "../state/key-store";
import type { AdminKey } from "../state/admin-key";

/** Paths (under /v1) the admin key may use; every other /v1 path needs a tenant key, and /admin/ only the admin key. */
const isAdminPath = (path: string) => path.startsWith("/admin/");
const adminMayUse = (path: string) => isAdminPath(path) || path === "/usage";

const speaksAnthropic = (path: string, version: unknown) =>
  path === "/messages" || path === "/messages/count_tokens" || (typeof version === "string" && (path === "/models" || path.startsWith("/models/")));

/**
 * The path below /v1, as a router mounted at "/v1" would see it: the app enters `authenticate` only for /v1
 * paths (compose.ts's atMountPath, matched case-insensitively) without rewriting req.url.
 */
const belowV1 = (path: string) => path.slice(3) || "/";

export function authenticate(keys: KeyStore, admin?: AdminKey): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    let key: string | undefined;
    if (typeof header === "string" && header.length > 7 && header.slice(0, 7).toLowerCase() === "bearer ") {
      key = header.slice(7).trim();
    }
    // Anthropic SDKs send their key as x-api-key: accepted on the Anthropic-compatible routes only (the model
    // listing when it is asked for in Anthropic's shape).
    const apiKeyHeader = req.headers["x-api-key"];
    if (!key && typeof apiKeyHeader === "string" && speaksAnthropic(belowV1(req.path), req.headers["anthropic-version"])) key = apiKeyHeader.trim() || undefined;
    if (!key) {
      return next(
        new HttpError({
          status: 401,
          type: "authentication_error",
          code: "missing_api_key",
          message: "missing API key: send it as 'Authorization: Bearer <key>'",
        }),
      );
    }
    if (admin?.matches(key)) {
      if (!adminMayUse(belowV1(req.path))) return next(forbidden("the admin key may use only the admin API and /v1/usage; use a tenant key for this"));
      contextOf(res).admin = true;
      return next();
    }
    const principal = keys.resolve ? keys.resolve(key) : undefined;
    const tenant = principal?.tenant ?? keys.lookup(key);
    if (!tenant) {
      return next(new HttpError({ status: 401, type: "authentication_error", code: "invalid_api_key", message: "invalid API key" }));
    }
    if (isAdminPath(belowV1(req.path))) return next(forbidden("this is the admin API: it needs the admin key, not a tenant key"));
    const ctx = contextOf(res);
    ctx.tenant = tenant;
    ctx.principal = principal;
    next();
  };
}

const forbidden = (message: string) => new HttpError({ status: 403, type: "permission_error", code: "permission_denied", message });
