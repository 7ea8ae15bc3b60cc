// Bearer key -> tenant. Keys are kept only as SHA-256 hashes; the presented key is hashed and
// the match confirmed with a constant-time comparison.
import type { RequestHandler } from "express";
import { HttpError } from "./http-error";
import type { KeyStore } from "../state/key-store";

export function authenticate(keys: KeyStore): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    let key: string | undefined;
    if (typeof header === "string" && header.length > 7 && header.slice(0, 7).toLowerCase() === "bearer ") {
      key = header.slice(7).trim();
    }
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
    const tenant = keys.lookup(key);
    if (!tenant) {
      return next(new HttpError({ status: 401, type: "authentication_error", code: "invalid_api_key", message: "invalid API key" }));
    }
    res.locals.tenant = tenant;
    next();
  };
}
